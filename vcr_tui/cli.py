"""The ``vcr-tui`` command: open a recording, or run one of the subcommands."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import NoReturn

import click

from vcr_tui import __version__

DEFAULT_FOLDER = Path(".vcr")


class PathOrCommandGroup(click.Group):
    """``vcr-tui run.vcr`` opens a file; ``vcr-tui demo`` runs a subcommand.

    Anything that is not a subcommand's name is taken as the path to open, so the common case
    needs no verb.
    """

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["open", *args]
        return super().resolve_command(ctx, args)


@click.group(
    cls=PathOrCommandGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(__version__, "-V", "--version", prog_name="vcr-tui")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Time-travel debugger for AI agents.

    \b
    vcr-tui run.vcr     open a recording
    vcr-tui DIR         list the recordings in a folder
    vcr-tui             open ./.vcr when it exists

    Keys can be remapped by binding id in ~/.config/vcr-tui/keymap.toml
    (or the file named by $VCR_TUI_KEYMAP); press ? in the app to see them.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(open_command, path=None)


@main.command("open")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def open_command(path: Path | None) -> None:
    """Open a .vcr recording (or a folder of them) in the debugger."""
    target = resolve_target(path)
    keymap = user_keymap()

    from vcr_tui.app import VCRApp

    app = VCRApp(target, keymap=keymap, freeze_gc=True)
    app.run()
    if app.failure:
        fail(app.failure)
    if app.return_code:
        sys.exit(app.return_code)


def resolve_target(path: Path | None) -> Path:
    """The file or folder to open, or a one-line explanation and exit status 2."""
    if path is None:
        if not DEFAULT_FOLDER.exists():
            fail(
                "nothing to open: no ./.vcr folder here. Run `vcr-tui run.vcr` or `vcr-tui FOLDER`,"
                " or record a run first (recorder.VCRRecorder writes to ./.vcr)"
            )
        path = DEFAULT_FOLDER
    try:
        info = path.stat()
    except FileNotFoundError:
        fail(f"no such file or folder: {path}")
    except PermissionError:
        fail(f"no permission to look at {path}")
    except OSError as exc:
        fail(f"cannot open {path}: {exc.strerror or exc}")
    if stat.S_ISDIR(info.st_mode):
        try:
            with os.scandir(path):
                pass
        except OSError as exc:
            fail(f"cannot list the folder {path}: {exc.strerror or exc}")
        return path
    if not stat.S_ISREG(info.st_mode):
        fail(f"{path} is not a regular file")
    from recorder.errors import open_for_reading

    try:
        os.close(open_for_reading(path))
    except OSError as exc:
        fail(exc.strerror or str(exc))
    return path


def user_keymap() -> dict[str, str]:
    """The user's key remapping, if they wrote one; complaints go to stderr and are not fatal."""
    from vcr_tui.keys import default_keymap_path, load_keymap

    path = default_keymap_path()
    if not path.exists():
        return {}
    keymap, complaints = load_keymap(path)
    for complaint in complaints:
        click.echo(f"vcr-tui: {complaint}", err=True)
    return keymap


def fail(message: str, status: int = 2) -> NoReturn:
    """One clear line on stderr and a non-zero exit: what every bad-input path does."""
    click.echo(f"vcr-tui: {message}", err=True)
    sys.exit(status)
