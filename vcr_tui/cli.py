"""The ``vcr-tui`` command: open a recording, or run one of the subcommands."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from vcr_tui import __version__


class PathOrCommandGroup(click.Group):
    """``vcr-tui run.vcr`` opens a file; ``vcr-tui demo`` runs a subcommand.

    Anything that is not a subcommand's name is taken as the path to open, so the common case
    needs no verb.
    """

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["open", *args]
        return super().resolve_command(ctx, args)


@click.group(cls=PathOrCommandGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="vcr-tui")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Time-travel debugger for AI agents.

    \b
    vcr-tui run.vcr     open a recording
    vcr-tui DIR         list the recordings in a folder
    vcr-tui             open ./.vcr when it exists
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(open_command, path=None)


@main.command("open")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def open_command(path: Path | None) -> None:
    """Open a .vcr recording (or a folder of them) in the debugger."""
    from recorder import RecordingNotFoundError, RecordingUnreadableError, VCRPlayer

    if path is None:
        default = Path(".vcr")
        if not default.exists():
            fail("nothing to open: give a .vcr file or a folder (no ./.vcr here)")
        path = default
    if path.is_dir():
        fail(f"{path} is a folder; the session browser is not built yet")
    try:
        player = VCRPlayer.load(path)
    except (RecordingNotFoundError, RecordingUnreadableError) as exc:
        fail(exc.strerror or str(exc))
    with player:
        click.echo(f"{player.session.session_id}: {len(player)} frames, {len(player.problems)} problems")


def fail(message: str, status: int = 2) -> None:
    """One clear line on stderr and a non-zero exit: what every bad-input path does."""
    click.echo(f"vcr-tui: {message}", err=True)
    sys.exit(status)
