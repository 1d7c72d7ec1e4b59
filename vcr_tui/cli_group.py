"""The ``vcr-tui`` command line in full, as click commands: every subcommand, option and help text.

``vcr_tui.cli.main`` hands a command line here unless it is the common ``vcr-tui PATH`` (with
``--no-follow`` or not), which it opens without loading click (see ``vcr_tui.cli.plain_open``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from vcr_tui.cli import (
    LAZY_COMMANDS,
    RESUME_MODES,
    agent_settings,
    fail,
    open_recording,
    user_keymap,
)

_GROUP_OPTIONS = {"-h", "--help", "-V", "--version"}


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
    open_recording(path, workspace, no_follow, ssh_options, agent, resume_mode)


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
