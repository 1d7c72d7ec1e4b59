"""The ``vcr-tui`` command: open a recording, or run one of the subcommands."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:
    from vcr_tui.logic.agent_choice import AgentSettings
    from vcr_tui.sources import Source

DEFAULT_FOLDER = Path(".vcr")
_GROUP_OPTIONS = {"-h", "--help", "-V", "--version"}
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


class PathOrCommandGroup(click.Group):
    """``vcr-tui run.vcr`` opens a file; ``vcr-tui demo`` runs a subcommand.

    Anything that is not a subcommand's name is taken as the path to open, so the common case
    needs no verb. Subcommands in ``LAZY_COMMANDS`` are imported when they are asked for.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Before the group reads its own options, so ``vcr-tui --no-follow run.vcr`` and
        # ``vcr-tui -`` (stdin) reach ``open`` too.
        if args and args[0] not in self.list_commands(ctx) and args[0] not in _GROUP_OPTIONS:
            args = ["open", *args]
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            module_name, _, attribute = LAZY_COMMANDS[cmd_name].partition(":")
            from importlib import import_module

            self.add_command(getattr(import_module(module_name), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)


def show_version(ctx: click.Context, asked: bool) -> None:
    """``--version``: the installed package's version, read only when asked for."""
    if not asked or ctx.resilient_parsing:
        return
    import vcr_tui

    click.echo(f"vcr-tui, version {vcr_tui.__version__}")
    ctx.exit()


@click.group(
    cls=PathOrCommandGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.option(
    "-V",
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    help="Show the version and exit.",
    callback=lambda ctx, _param, value: show_version(ctx, value),
)
@click.pass_context
def main(ctx: click.Context) -> None:
    """Time-travel debugger for AI agents.

    \b
    vcr-tui run.vcr     open a recording
    vcr-tui DIR         list the recordings in a folder
    vcr-tui             open ./.vcr when it exists
    vcr-tui HOST:PATH   follow a recording on another machine, over ssh
    vcr-tui -           follow a recording piped into stdin
    vcr-tui s3://B/K    open a recording in object storage (s3://B/P/ lists)
    vcr-tui demo        record a failing demo run, then fix it (e, r)
    vcr-tui serve DIR   the debugger in a browser tab (needs vcr-tui[serve])
    vcr-tui bundle RUN.vcr -o run.html   a run as one HTML file to share

    \b
    Opening a recording takes (vcr-tui open --help says more):
      --agent MODULE:CALLABLE   the agent r resumes with
      --resume-mode MODE        replay (default), fork or mock
      --workspace DIR           the folder the run changed (u rolls back, C commits)
      --no-follow               show the file as it is; do not follow it

    Keys can be remapped by binding id in ~/.config/vcr-tui/keymap.toml
    (or the file named by $VCR_TUI_KEYMAP); press ? in the app to see them.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(open_command, path=None)


@main.command("open")
@click.argument("path", required=False)
@click.option(
    "--workspace",
    type=click.Path(path_type=Path),
    default=None,
    help="The folder the recorded run changed: u rolls its files back to a savepoint, C commits them.",
)
@click.option("--no-follow", is_flag=True, help="Show the recording as it is now; do not follow it while it grows.")
@click.option(
    "-o",
    "--ssh-option",
    "ssh_options",
    multiple=True,
    metavar="OPTION",
    help="For a remote recording: pass -o OPTION to ssh (repeatable). $VCR_TUI_SSH_ARGS adds any ssh arguments.",
)
@click.option(
    "--agent",
    metavar="MODULE:CALLABLE",
    default=None,
    help="The agent r resumes with: module:callable (imported from the current folder first) or"
    " path/to/agent.py:callable. Without it, r offers the one the recording names, and asks first.",
)
@click.option(
    "--resume-mode",
    type=click.Choice(RESUME_MODES, case_sensitive=False),
    default="replay",
    show_default=True,
    help="How r resumes: replay (unchanged steps come from the recording, at zero tokens), fork (every"
    " step runs live), mock (steps whose output you edited with E return it).",
)
def open_command(
    path: str | None,
    workspace: Path | None = None,
    no_follow: bool = False,
    ssh_options: tuple[str, ...] = (),
    agent: str | None = None,
    resume_mode: str = "replay",
) -> None:
    """Open a .vcr recording (or a folder of them) in the debugger.

    \b
    PATH is a file or folder, - for a recording piped into stdin,
    or a file on another host: ssh://[user@]host[:port]/path/run.vcr or [user@]host:path/run.vcr
    """
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
    from vcr_tui.cli_cloud import is_object_prefix, list_prefix
    from vcr_tui.logic.open_location import close_on_hangup, shown_path

    if is_object_prefix(path):
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
        click.echo(line)
    if app.failure:
        fail(app.failure)
    if app.return_code:
        sys.exit(app.return_code)


@main.command("demo")
@click.option(
    "--dir",
    "folder",
    type=click.Path(path_type=Path),
    default=Path("vcr-demo"),
    show_default=True,
    help="Where to record the demo run (created if needed; earlier recordings are kept).",
)
@click.option("--no-open", is_flag=True, help="Only record the run and print where it is.")
def demo_command(folder: Path, no_open: bool) -> None:
    """Record a small agent whose run fails, then open it to fix it by time travel.

    The agent is built in and deterministic (a scripted model: no network, no keys).
    """
    from vcr_tui.demo import ENTRY_POINT
    from vcr_tui.demo.walkthrough import DemoError, record_demo_into, walkthrough_text

    try:
        recording = record_demo_into(folder)
    except DemoError as exc:
        fail(str(exc))
    click.echo(f"recorded the demo run: {recording}")
    if no_open:
        click.echo(f"open it with: vcr-tui {recording} --agent {ENTRY_POINT}")
        return
    click.echo(walkthrough_text())
    from vcr_tui.app import VCRApp

    agents = agent_settings(ENTRY_POINT, "replay", origin="the built-in demo")
    app = VCRApp(
        folder,
        keymap=user_keymap(),
        freeze_gc=True,
        agent=agents,
        open_first=recording,
        welcome=walkthrough_text(in_app=True),
    )
    app.run()
    for line in app.farewell:
        click.echo(line)
    if app.failure:
        fail(app.failure)
    if app.return_code:
        sys.exit(app.return_code)


def agent_settings(spec: str | None, mode: str, *, origin: str) -> AgentSettings:
    """What ``r`` may run and how; a malformed ``--agent`` is one line and exit status 2."""
    from recorder import ResumeMode
    from recorder.entry_points import EntryPointError, parse_agent_spec
    from vcr_tui.logic.agent_choice import AgentSettings

    if spec is not None:
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
    click.echo(f"vcr-tui: {message}", err=True)
    sys.exit(status)
