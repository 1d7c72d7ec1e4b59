"""``vcr-tui bundle RUN.vcr -o run.html``: a recording as one HTML file to attach or send."""

from __future__ import annotations

import stat
import sys
from collections.abc import Callable
from pathlib import Path

import click


@click.command("bundle")
@click.argument("recording", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="The HTML file to write (replaced if it exists).",
)
@click.option("--with-forks", is_flag=True, help="Also include the forks of the run found beside it, as a fork tree.")
def bundle_command(recording: Path, output: Path, with_forks: bool) -> None:
    """Write one self-contained HTML file showing a recording: no server, no network.

    \b
    The page shows the frame list, the state at each frame as a tree, what each
    step changed and, with --with-forks, the fork tree. Every string from the
    recording is shown as text: nothing in it can run in the page.
    """
    from vcr_tui.cli import fail, resolve_target

    if resolve_target(recording).is_dir():
        fail(f"{recording} is a folder: name one .vcr file (its forks come with --with-forks)")
    _check_output(recording, output)
    from recorder import RecordingNotFoundError, RecordingUnreadableError
    from vcr_tui.bundle import build_bundle

    progress = _progress() if sys.stderr.isatty() else None
    try:
        result = build_bundle(recording, output, with_forks=with_forks, on_frames=progress)
    except (RecordingNotFoundError, RecordingUnreadableError) as exc:
        fail(exc.strerror or str(exc))
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    finally:
        if progress is not None:
            click.echo("\r\x1b[K", nl=False, err=True)
    runs = f" and {result.runs - 1} fork{'s' if result.runs > 2 else ''}" if result.runs > 1 else ""
    size = f"{result.size / 1_000_000:.1f} MB" if result.size >= 100_000 else f"{result.size / 1000:.0f} KB"
    click.echo(f"wrote {output}: {result.frames:,} frames{runs}, {size}")


def _progress() -> Callable[[int], None]:
    """A counter on the terminal for long runs: every step's diff is computed, milliseconds each."""
    done = 0

    def count(frames: int) -> None:
        nonlocal done
        done += frames
        click.echo(f"\rbundling: {done:,} frames…", nl=False, err=True)

    return count


def _check_output(recording: Path, output: Path) -> None:
    """Refuse to write over the recording (a recording is never rewritten) or into a folder."""
    from vcr_tui.cli import fail

    try:
        info = output.stat()
    except FileNotFoundError:
        if not output.parent.is_dir():
            fail(f"-o: no such folder: {output.parent}")
        return
    except OSError as exc:
        fail(f"-o: cannot look at {output}: {exc.strerror or exc}")
    if stat.S_ISDIR(info.st_mode):
        fail(f"-o: {output} is a folder; name the HTML file to write")
    if output.resolve() == recording.resolve() or output.samefile(recording):
        fail(f"-o: {output} is the recording itself; a recording is never overwritten")
