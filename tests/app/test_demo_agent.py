"""The demo agent fails for a reason planted two steps earlier, and time travel fixes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from recorder import ResumeConfig, ResumeMode, VCRPlayer
from recorder.models import FrameType
from vcr_tui.demo import ENTRY_POINT, record_demo, run_agent
from vcr_tui.demo.agent import evaluate


@pytest.fixture(autouse=True)
def no_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCR_DEMO_DELAY", "0")


def test_the_recorded_demo_fails_at_the_report(tmp_path: Path) -> None:
    player = VCRPlayer.load(record_demo(tmp_path))
    assert [f.node_name for f in player] == ["tool:read_tests", "llm:planner", "llm:coder", "tool:run_tests", "report"]
    assert player.get_frame(-1).frame_type is FrameType.ERROR
    assert "returned 324.0, expected 100.0" in (player.get_frame(-1).metadata.error_message or "")
    assert player.get_frame(2).input_state["formula"] == "(f - 32) * 9 / 5"
    assert player.session.metadata["entry_point"] == ENTRY_POINT
    assert player.session.total_tokens == 508 + 599


def test_fixing_the_formula_and_resuming_succeeds_with_the_prefix_replayed(tmp_path: Path) -> None:
    player = VCRPlayer.load(record_demo(tmp_path))
    fixed = {**player.get_frame(2).input_state, "formula": "(f - 32) * 5 / 9"}
    result = player.resume(run_agent, ResumeConfig(from_frame=2, state=fixed, mode=ResumeMode.REPLAY))
    assert result.succeeded and result.output["summary"] == "all 3 tests pass"
    fork = VCRPlayer.load(result.fork_path)
    assert [f.source for f in fork] == ["replayed", "replayed", "fork", "live", "live", "live"]
    assert fork.session.total_tokens == 599  # only the coder ran again


@pytest.mark.parametrize(
    "formula", ["__import__('os')", "f.real", "open('x')", "[1][0]", "f if f else 1", "9 ** 9 ** 9"]
)
def test_the_test_runner_never_evaluates_anything_but_arithmetic(formula: str) -> None:
    with pytest.raises(ValueError, match="unsupported"):
        evaluate(formula, 1)


def test_arithmetic_evaluates() -> None:
    assert evaluate("(f - 32) * 5 / 9", 212) == 100.0
    assert evaluate("-f + 1", 2) == -1.0
