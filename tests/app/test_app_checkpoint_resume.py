"""``e`` + ``r`` on a frame of a LangGraph checkpoint thread: the thread forks in its own checkpointer.

A real graph keeps a real thread in SQLite; the thread is opened as a recording (as
``vcr-tui langgraph sqlite:///... --agent app.py:graph`` does), a frame's state is edited, and ``r``
forks the thread from that checkpoint into a new thread of the same database and runs the graph
there. The new thread's history opens as the fork's screen; the original thread gains nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("langgraph.checkpoint.sqlite")

from recorder import ResumeMode, VCRReader
from recorder.integrations.langgraph_threads import CHECKPOINT_KEY, open_checkpointer, record_thread
from tests.app.test_fork_resume_keys import resumed_to_the_end
from tests.integrations.test_langgraph_threads import checkpointed_thread, history
from tests.support.app_support import SIZE, notifications, press, settle, wait_until
from tests.support.cli_support import assert_one_line_failure, run_cli
from vcr_tui.app import VCRApp
from vcr_tui.logic.agent_choice import AgentSettings
from vcr_tui.logic.resume_run import Outcome
from vcr_tui.screens.debugger.file_screen import FileScreen

APP = """
import sqlite3

from langgraph.checkpoint.sqlite import SqliteSaver

from tests.integrations.test_langgraph_threads import build_graph

graph = build_graph().compile(checkpointer=SqliteSaver(sqlite3.connect({database!r}, check_same_thread=False)))
"""


@pytest.fixture
def thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path, str]]:
    """(the thread as a recording, the database, the graph's --agent spec)."""
    database = tmp_path / "checkpoints.db"
    checkpointed_thread(database)
    (tmp_path / "counter_app.py").write_text(APP.format(database=str(database)), encoding="utf-8")
    with open_checkpointer(f"sqlite:///{database}") as saver:
        path = record_thread(saver, "t1", tmp_path / "runs")
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    yield path, database, f"{tmp_path / 'counter_app.py'}:graph"
    sys.modules.pop("counter_app", None)


@pytest.mark.parametrize(
    ("side", "edit", "expected"),
    [
        ("input", {"n": 5}, [("add", 6), ("double", 12)]),  # add runs again on the edited input
        ("output", {"n": 50}, [("double", 100)]),  # the graph goes on after add, from the edit
    ],
)
async def test_e_and_r_on_a_checkpoint_frame_fork_the_thread_and_run_the_graph(
    thread: tuple[Path, Path, str], side: str, edit: dict[str, int], expected: list[tuple[str, int]]
) -> None:
    path, database, spec = thread
    with open_checkpointer(f"sqlite:///{database}") as saver:
        before = history(record_thread(saver, "t1", path.parent / "before"))
    app = VCRApp(path, agent=AgentSettings(spec=spec, mode=ResumeMode.FORK))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j")
        screen = app.screen
        assert isinstance(screen, FileScreen) and screen.current is not None
        frame = screen.current
        assert frame.node_name == "add" and frame.output_state == {"n": 2, "log": ["add"]}
        recorded = frame.input_state if side == "input" else frame.output_state
        screen.apply_edit(2, side, {**recorded, **edit})  # what e (or E) leaves
        await settle(pilot)
        await pilot.press("r")
        fork = await resumed_to_the_end(pilot, app)
        summary = fork.following.summary  # type: ignore[union-attr]
        assert summary is not None and summary.outcome is Outcome.SUCCEEDED, summary
        assert summary.totals.live == len(expected)
    assert fork.path is not None and fork.path != path
    with VCRReader(fork.path) as reader:
        frames = [reader.frame(index) for index in range(len(reader))]
    thread_ids = {frame.metadata.custom[CHECKPOINT_KEY]["thread_id"] for frame in frames}
    assert len(thread_ids) == 1 and thread_ids.pop().startswith("t1-fork-")
    ran = [
        (frame.node_name, frame.output_state["n"])
        for frame in frames
        if frame.metadata.custom[CHECKPOINT_KEY]["source"] == "loop"
    ]
    assert ran == expected
    assert frames[-1].output_state["log"] == ["add", "double"]  # untouched channels kept, not doubled
    with open_checkpointer(f"sqlite:///{database}") as saver:
        assert history(record_thread(saver, "t1", path.parent / "after")) == before  # the original thread is unchanged


def test_a_malformed_graph_name_is_one_line_and_exit_status_2(tmp_path: Path) -> None:
    database = tmp_path / "checkpoints.db"
    checkpointed_thread(database)
    done = run_cli("langgraph", f"sqlite:///{database}", "--thread", "t1", "--agent", "no colon here", cwd=tmp_path)
    assert_one_line_failure(done, "--agent")


async def test_r_with_a_graph_that_has_no_checkpointer_says_so(thread: tuple[Path, Path, str], tmp_path: Path) -> None:
    path, _database, _spec = thread
    (tmp_path / "bare_app.py").write_text(
        "from tests.integrations.test_langgraph_threads import build_graph\n\ngraph = build_graph().compile()\n",
        encoding="utf-8",
    )
    app = VCRApp(path, agent=AgentSettings(spec=f"{tmp_path / 'bare_app.py'}:graph", mode=ResumeMode.FORK))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j")
        screen = app.screen
        assert isinstance(screen, FileScreen)
        await pilot.press("r")
        await wait_until(pilot, lambda: "checkpointer" in notifications(app), "the resume's failure shown")
        await settle(pilot)
        assert screen.resume_run is None
    assert "cannot fork the thread: the graph was compiled without a checkpointer" in notifications(app)
    sys.modules.pop("bare_app", None)
