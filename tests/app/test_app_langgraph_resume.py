"""``e`` + ``r`` on a frame of a real LangGraph run, in the app: the real graph resumes from that node.

The LangGraph example records its failing run in a subprocess, as a user runs it; the app opens
the recording, the guilty frame's input is edited, and ``r`` resumes with the example named by
its file (``--agent examples/langgraph_agent.py:run_agent``), live, in a worker thread, while the
fork's screen follows the new file.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("langgraph")

from recorder import ResumeMode, VCRPlayer
from tests.app.test_fork_resume_keys import resumed_to_the_end
from tests.integrations.test_langgraph_examples import EXAMPLES, recording_in, run
from tests.support.app_support import SIZE, press, settle
from vcr_tui.app import VCRApp
from vcr_tui.logic.agent_choice import AgentSettings
from vcr_tui.logic.resume_run import Outcome
from vcr_tui.screens.debugger.file_screen import FileScreen


@pytest.fixture
def expense_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    done = run(str(EXAMPLES / "langgraph_agent.py"), str(tmp_path / "runs"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    monkeypatch.setattr(sys, "path", list(sys.path))  # the agent's folder goes first while it loads
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    monkeypatch.delitem(sys.modules, "langgraph_agent", raising=False)
    yield recording_in(tmp_path / "runs")
    sys.modules.pop("langgraph_agent", None)


@pytest.mark.parametrize("mode", [ResumeMode.FORK, ResumeMode.REPLAY])
async def test_e_and_r_on_a_langgraph_frame_resume_the_real_graph_from_that_node(
    expense_run: Path, mode: ResumeMode
) -> None:
    agent = AgentSettings(spec=f"{EXAMPLES}/langgraph_agent.py:run_agent", mode=mode)
    app = VCRApp(expense_run, agent=agent)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j")
        screen = app.screen
        assert isinstance(screen, FileScreen) and screen.current is not None
        frame = screen.current
        assert frame.node_name == "agent" and frame.input_state["amount"] == 12050.0
        screen.apply_edit(1, "input", {**frame.input_state, "amount": 120.5})  # what e leaves
        await settle(pilot)
        await pilot.press("r")
        fork = await resumed_to_the_end(pilot, app)
        summary = fork.following.summary  # type: ignore[union-attr]
        assert summary is not None and summary.outcome is Outcome.SUCCEEDED, summary
    assert fork.path is not None
    resumed = VCRPlayer.load(fork.path)
    assert [(f.node_name, f.source) for f in resumed] == [
        ("parse_request", "replayed"),
        ("fork:agent", "fork"),
        ("agent", "live"),
        ("tools", "live"),
        ("agent", "live"),
        ("check_budget", "live"),
    ]
    assert resumed.get_frame(2).input_state["amount"] == 120.5  # the real graph started from the edit
    assert not any(frame.is_error for frame in resumed)
    assert VCRPlayer.load(expense_run).get_frame(-1).is_error  # the recording itself is untouched
