"""The ``vcr-tui`` command: open a recording, or run one of the subcommands.

``main`` opens ``vcr-tui PATH`` itself and hands every other command line to the click
commands of ``vcr_tui.cli_group``; what both need (opening a recording, the one-line failures,
reading the keymap and ``--agent``) is here, and loads no click until it prints.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from vcr_tui.logic.options import AgentSettings
    from vcr_tui.sources import Source

DEFAULT_FOLDER = Path(".vcr")
RESUME_MODES = ("replay", "fork", "mock")

# Subcommands that live in modules of their own: name -> "module:command". Each module is imported
# only when its command runs (or ``--help`` lists it), so opening a recording loads none of them.
LAZY_COMMANDS = {
    "diff": "vcr_tui.cli_compare:diff_command",
    "graph": "vcr_tui.cli_compare:graph_command",
    "golden": "vcr_tui.cli_golden:golden_command",
    "ledger": "vcr_tui.cli_golden:ledger_command",
    "bundle": "vcr_tui.cli_bundle:bundle_command",
    "serve": "vcr_tui.serve:serve_command",
    "push": "vcr_tui.cli_cloud:push_command",
    "export": "vcr_tui.cli_otel:export_command",
    "import": "vcr_tui.cli_otel:import_command",
    "langgraph": "vcr_tui.cli_langgraph:langgraph_command",
}
COMMAND_NAMES = frozenset({"open", "demo", *LAZY_COMMANDS})  # every subcommand: a PATH by that name is click's


def main(args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any) -> Any:
    """The ``vcr-tui`` command (the console script), with click's ``main`` arguments.

    ``vcr-tui PATH`` opens the recording at once; any other command line goes to the click
    commands in ``vcr_tui.cli_group``, which parse it, print help and errors, and run the
    subcommands. Both open a recording by the same ``open_recording``.
    """
    plain = plain_open(sys.argv[1:] if args is None else list(args)) if not extra else None
    if plain is None:
        from vcr_tui.cli_group import main as command_group

        return command_group.main(args, prog_name, **extra)
    path, no_follow = plain
    try:
        open_recording(path, None, no_follow, (), None, "replay")
    except (EOFError, KeyboardInterrupt):  # as click ends its commands: a blank line, then "Aborted!"
        echo("", err=True)
        echo("Aborted!", err=True)
        sys.exit(1)
    except OSError as exc:  # a closed pipe on stdout ends the program quietly, as click does
        if exc.errno != errno.EPIPE:
            raise
        quiet_closed_pipes()
        sys.exit(1)
    return None


def plain_open(args: list[str]) -> tuple[str, bool] | None:
    """``(PATH, no_follow)`` for the command lines ``PATH``, ``PATH --no-follow`` and ``--no-follow PATH``.

    Those are what most starts are, and click (its import is a fiftieth of the time to the first
    screen) would only hand them on to ``open``; anything else (another option, a subcommand's
    name, a PATH that starts with ``-``, a shell asking for completions) is None: click's.
    """
    flags = [arg for arg in args if arg == "--no-follow"]
    paths = [arg for arg in args if arg != "--no-follow"]
    if len(paths) != 1 or len(flags) > 1:
        return None
    path = paths[0]
    if not path or path.startswith("-") or path in COMMAND_NAMES or _completing():
        return None
    return path, bool(flags)


def _completing() -> bool:
    """Whether a shell asks for completions (click's ``_VCR_TUI_COMPLETE`` and its kin are set)."""
    return any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ)


def quiet_closed_pipes() -> None:
    """After a reader of stdout or stderr went away: the final flush goes nowhere, without a traceback.

    What click's standalone mode does for its commands, by the means Python's documentation gives.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError):
            pass


def echo(message: str, *, err: bool = False) -> None:
    """A line on stdout (or stderr) as click writes it: escape sequences dropped when not a terminal."""
    import click

    click.echo(message, err=err)


def open_recording(
    path: str | None,
    workspace: Path | None,
    no_follow: bool,
    ssh_options: tuple[str, ...],
    agent: str | None,
    resume_mode: str,
) -> None:
    """Open a recording or a folder in the debugger: ``vcr-tui PATH`` and ``vcr-tui open``."""
    from vcr_tui.logic.gc_pause import start_paused

    # Until the first screen is drawn, the cycle collector waits: what the start builds lives
    # until the program ends, and the collector's passes over it slowed the start (see gc_pause).
    with start_paused():
        _open(path, workspace, no_follow, ssh_options, agent, resume_mode)


def _open(
    path: str | None,
    workspace: Path | None,
    no_follow: bool,
    ssh_options: tuple[str, ...],
    agent: str | None,
    resume_mode: str,
) -> None:
    """``open_command``'s work, with the collector paused."""
    listed = Path(path) if path is not None else DEFAULT_FOLDER
    if listed.is_dir():  # its scan starts now, while the rest loads (see folder_prefetch)
        from vcr_tui.logic.folder_prefetch import start_early

        start_early(listed)
    from vcr_tui.logic.open_location import close_on_hangup, is_object_prefix, shown_path

    if is_object_prefix(path):
        from vcr_tui.cli_cloud import list_prefix

        return list_prefix(str(path))
    source = open_stream_or_remote(path, follow=not no_follow, ssh_options=ssh_options)
    target = shown_path(source) if source is not None else resolve_target(Path(path) if path is not None else None)
    folder = resolve_workspace(workspace) if workspace is not None else None
    agents = agent_settings(agent, resume_mode, origin="--agent")
    keymap = user_keymap()

    from vcr_tui.app import VCRApp

    if source is not None and not sys.stdout.isatty():
        source_ready(source)  # no screen to hurry: an object's address fails here, in one line
    app = VCRApp(
        target, keymap=keymap, freeze_gc=True, workspace=folder, follow=not no_follow, source=source, agent=agents
    )
    if source is not None:
        close_on_hangup(source)
    try:
        app.run()
    finally:
        if source is not None:
            source.close()  # the app closes it too; this covers a crash on the way out
    for line in app.farewell:
        echo(line)
    if app.failure:
        fail(app.failure)
    if app.return_code:
        sys.exit(app.return_code)


def agent_settings(spec: str | None, mode: str, *, origin: str) -> AgentSettings:
    """What ``r`` may run and how; a malformed ``--agent`` is one line and exit status 2."""
    from recorder import ResumeMode
    from vcr_tui.logic.options import AgentSettings

    if spec is not None:
        from recorder.entry_points import EntryPointError, parse_agent_spec

        try:
            parse_agent_spec(spec)
        except EntryPointError as exc:
            fail(f"--agent: {exc}")
    return AgentSettings(spec=spec.strip() if spec else None, origin=origin, mode=ResumeMode(mode.lower()))


def open_stream_or_remote(path: str | None, *, follow: bool, ssh_options: tuple[str, ...]) -> Source | None:
    """A source for ``-`` or a remote file (None for a local path), or one line and exit status 2."""
    if path is None:
        return None
    from vcr_tui.logic.open_location import stream_or_remote_source
    from vcr_tui.sources import LocationError, SourceError

    try:
        return stream_or_remote_source(path, follow=follow, ssh_options=ssh_options)
    except (LocationError, SourceError) as exc:
        fail(str(exc))


def source_ready(source: Source) -> None:
    """What a source checks off the main path (an object's address), or one line and exit status 2.

    On a terminal the app starts meanwhile instead, and shows the answer: the object's first
    frames, or why it cannot be read (then quits with status 2 and that line).
    """
    from vcr_tui.sources import SourceError

    try:
        source.check()
    except SourceError as exc:
        source.close()
        fail(str(exc))


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
    refuse_non_recording(path)
    return path


def refuse_non_recording(path: Path) -> None:
    """One line and exit status 2 for a file with no record in its head (a README, a program)."""
    from vcr_tui.logic.recording_head import holds_records

    try:
        if holds_records(path):
            return
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}")
    fail(f"{path} is not a .vcr recording: no line of its head is a session or frame record")


def resolve_workspace(path: Path) -> Path:
    """The ``--workspace`` folder as an absolute path, or a one-line explanation and exit status 2."""
    try:
        info = path.stat()
    except FileNotFoundError:
        fail(f"--workspace: no such folder: {path}")
    except OSError as exc:
        fail(f"--workspace: cannot look at {path}: {exc.strerror or exc}")
    if not stat.S_ISDIR(info.st_mode):
        fail(f"--workspace: {path} is not a folder (name the folder the agent worked in)")
    return path.resolve()


def user_keymap() -> dict[str, str]:
    """The user's key remapping, if they wrote one; the app shows what is wrong with it on start."""
    from vcr_tui.keys import default_keymap_path, load_keymap

    path = default_keymap_path()
    if not path.exists():
        return {}
    return load_keymap(path)[0]


def fail(message: str, status: int = 2) -> NoReturn:
    """One clear line on stderr and a non-zero exit: what every bad-input path does."""
    echo(f"vcr-tui: {message}", err=True)
    sys.exit(status)
