"""``vcr-tui langgraph sqlite:///checkpoints.db --thread ID``: a checkpoint thread in the debugger.

The thread's history is written as a recording (``-o``, or a private temporary file that is
removed when the debugger closes) and opened like any other; the checkpointer is only read.
With ``--agent module:graph`` (the app's compiled graph, with its checkpointer), ``e`` + ``r`` on a
frame fork the thread from that checkpoint into a new thread of the same checkpointer and run the
graph on from the edit (see ``vcr_tui.logic.checkpoint_resume``).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import click

from vcr_tui.cli import agent_settings, fail, user_keymap


@click.command("langgraph")
@click.argument("address")
@click.option("--thread", "thread_id", required=True, help="The thread_id whose checkpoints to open.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the recording into this folder and print its path, instead of opening it.",
)
@click.option(
    "--agent",
    metavar="MODULE:GRAPH",
    default=None,
    help="The compiled graph r runs (module:graph or path/to/app.py:graph, compiled with a checkpointer"
    " on this database): e + r on a frame fork the thread there into a new thread and run on.",
)
def langgraph_command(address: str, thread_id: str, output: Path | None, agent: str | None = None) -> None:
    """Open a LangGraph checkpoint thread as a recording: a frame per checkpoint.

    \b
    ADDRESS is sqlite:///path/to/checkpoints.db or a postgresql:// DSN.
    Each frame shows the node that wrote the checkpoint, the state before and
    after, and the superstep; the checkpointer is opened read-only.
    """
    from recorder import RecordingNotFoundError, RecordingUnreadableError
    from recorder.integrations.langgraph_threads import open_checkpointer, record_thread

    agents = agent_settings(agent, "fork", origin="--agent")

    folder = output if output is not None else Path(tempfile.mkdtemp(prefix="vcr-tui-langgraph-"))
    try:
        try:
            with open_checkpointer(address) as saver:
                path = record_thread(saver, thread_id, folder)
        except (RecordingNotFoundError, RecordingUnreadableError) as exc:
            fail(f"langgraph: {exc.strerror or exc}")
        if output is not None:
            click.echo(f"recorded thread {thread_id}: {path}")
            return
        from vcr_tui.app import VCRApp

        app = VCRApp(path, keymap=user_keymap(), freeze_gc=True, follow=False, agent=agents)
        app.run()
        if app.failure:
            fail(app.failure)
    finally:
        if output is None:
            shutil.rmtree(folder, ignore_errors=True)
