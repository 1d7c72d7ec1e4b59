"""``vcr-tui push RUN.vcr s3://...`` and ``vcr-tui s3://bucket/prefix/``: recordings in object storage.

Opening one object is the debugger's business (a source like any other); this module holds the
two things that are not: copying a finished recording up, and listing what a prefix holds.
"""

from __future__ import annotations

from pathlib import Path

import click

from vcr_tui.cli import fail
from vcr_tui.logic.safe_text import clean, shorten


@click.command("push")
@click.argument("recording", type=click.Path(path_type=Path))
@click.argument("url")
def push_command(recording: Path, url: str) -> None:
    """Upload RECORDING to URL (s3://bucket/key.vcr, or a prefix ending in /).

    \b
    The object is replaced if it exists; open it again with `vcr-tui URL`.
    Credentials and endpoint: the store's usual settings (for S3, the AWS_* variables).
    """
    from recorder import RecordingNotFoundError, RecordingUnreadableError
    from recorder.object_urls import is_object_url
    from recorder.storage import upload_recording

    if not is_object_url(url):
        fail(f"push: {url!r} is not an object storage address (write s3://bucket/path/run.vcr)")
    if not recording.is_file():
        fail(f"push: no such recording: {recording}")
    try:
        target = upload_recording(recording, url)
    except (RecordingNotFoundError, RecordingUnreadableError) as exc:
        fail(f"push: {exc.strerror or exc}")
    click.echo(f"uploaded {recording} to {target}")


def list_prefix(url: str) -> None:
    """Print one line per recording under ``url``: name, session, frames, tokens, when, parent."""
    from recorder import RecordingNotFoundError, RecordingUnreadableError
    from recorder.object_sessions import list_sessions
    from vcr_tui.logic.formatting import format_count, format_timestamp, format_tokens

    try:
        found = list_sessions(url)
    except RecordingNotFoundError:
        found = []  # a prefix with nothing under it does not exist in a store
    except RecordingUnreadableError as exc:
        fail(exc.strerror or str(exc))
    if not found:
        fail(f"no .vcr recordings under {url}")
    click.echo(f"{format_count(len(found), 'recording')} under {clean(url)}:")
    for item in found:
        session = item.session
        name = shorten(clean(item.entry.name), 40)
        if session is None:
            click.echo(f"  {name:<40}  (no session header found)")
            continue
        parent = f"  fork of {shorten(clean(session.parent_session_id), 30)}" if session.parent_session_id else ""
        click.echo(
            f"  {name:<40}  {shorten(clean(session.session_id), 30):<30}  {session.frame_count:>7} frames"
            f"  {format_tokens(session.total_tokens):>8} tok  {format_timestamp(session.created_at)}{parent}"
        )
    click.echo(f"open one with: vcr-tui {clean(found[0].url)}")
