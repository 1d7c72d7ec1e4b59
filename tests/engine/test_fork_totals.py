"""A resume's totals are counted as its fork is written, and agree with reading the fork back."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from recorder import ResumeConfig, ResumeMode, VCRPlayer, VCRReader, VCRRecorder, report_usage, resume, vcr_record
from recorder.golden import CostLedger
from recorder.resume import ResumeResult
from vcr_tui.logic.resume_run import Outcome, ResumeRequest, ResumeRun, summarize

calls: Counter[str] = Counter()


def _step(name: str, tokens: int, cost: float) -> Any:
    @vcr_record(node_name=f"llm:{name}", frame_type="llm")
    def step(state: dict[str, Any]) -> dict[str, Any]:
        calls[name] += 1
        report_usage(model="scripted", tokens_input=tokens, tokens_output=0, cost_usd=cost)
        if state.get("explode") == name:
            raise RuntimeError(f"{name} exploded")
        return {**state, name: state.get("n", 0) + 1}

    return step


plan = _step("plan", 100, 0.01)
draft = _step("draft", 200, 0.02)
review = _step("review", 300, 0.03)
polish = _step("polish", 400, 0.04)


def agent(task: dict[str, Any]) -> dict[str, Any]:
    return polish(review(draft(plan(task))))


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session(session_id="run")
    with recorder:
        agent({"n": 1})
    calls.clear()
    assert recorder.path is not None
    return recorder.path


def read_back(fork: Path) -> tuple[int, Counter[str | None], CostLedger]:
    """What the fork holds, read frame by frame: the figures the totals must equal."""
    player = VCRPlayer.load(fork)
    sources = Counter(frame.source for frame in player)
    return len(player), sources, CostLedger.of_recording(fork)


def test_replay_totals_equal_the_fork_read_back(recorded: Path) -> None:
    result = resume(recorded, agent, ResumeConfig(from_frame=2, mode=ResumeMode.REPLAY, state_overrides={"n": 5}))
    assert result.succeeded and calls == {"review": 1, "polish": 1}

    frames, sources, ledger = read_back(result.fork_path)
    totals = result.totals
    assert result.frames == frames == 5  # plan, draft copied; the fork point; review and polish ran
    assert (totals.replayed, totals.live, totals.mocked, totals.skipped) == (2, 2, 0, 0)
    assert sources == {"replayed": 2, "fork": 1, "live": 2}
    assert (result.tokens_spent, result.tokens_saved) == (ledger.replay_tokens, ledger.tokens_saved) == (700, 300)
    assert result.cost_spent_usd == pytest.approx(ledger.replay_cost_usd) == pytest.approx(0.07)
    assert result.cost_saved_usd == pytest.approx(ledger.cost_saved_usd) == pytest.approx(0.03)
    assert totals.failed_at is None


def test_an_unchanged_replay_saves_what_every_step_cost(recorded: Path) -> None:
    result = resume(recorded, agent, ResumeConfig(from_frame=1, mode=ResumeMode.REPLAY))
    assert result.succeeded and not calls
    _, sources, ledger = read_back(result.fork_path)
    assert result.totals.replayed == sources["replayed"] == 4
    assert (result.tokens_spent, result.tokens_saved) == (0, 1000) == (ledger.replay_tokens, ledger.tokens_saved)


def test_a_failed_step_is_named_and_counted_as_run(recorded: Path) -> None:
    config = ResumeConfig(from_frame=1, mode=ResumeMode.FORK, state_overrides={"explode": "review"})
    result = resume(recorded, agent, config)
    assert not result.succeeded and result.error_type == "RuntimeError"

    frames, sources, _ = read_back(result.fork_path)
    assert result.frames == frames
    assert result.totals.failed_at == "llm:review"
    # draft and review ran: review's error frame carries no mark, but the step was called
    assert result.totals.live == 2 and calls == {"draft": 1, "review": 1}
    assert sources == {"replayed": 1, "fork": 1, "live": 1, None: 1}


def test_mocked_and_skipped_steps_are_counted_apart(recorded: Path) -> None:
    config = ResumeConfig(
        from_frame=1,
        mode=ResumeMode.MOCK,
        state_overrides={"n": 9},
        inject_mocks={"llm:review": {"reviewed": True}},
        skip_nodes=["llm:polish"],
    )
    result = resume(recorded, agent, config)
    assert result.succeeded
    _, sources, _ = read_back(result.fork_path)
    totals = result.totals
    assert (totals.replayed, totals.live, totals.mocked, totals.skipped) == (1, 1, 1, 1)
    assert sources == {"replayed": 1, "fork": 1, "live": 1, "mocked": 1, "skipped": 1}


def test_the_banner_figures_come_from_the_result_without_the_fork(recorded: Path) -> None:
    """The debugger's summary is built from the result alone: even a fork gone since is summed up."""
    result: ResumeResult = resume(
        recorded, agent, ResumeConfig(from_frame=2, mode=ResumeMode.REPLAY, state_overrides={"n": 5})
    )
    result.fork_path.unlink()
    run = ResumeRun(ResumeRequest(recorded, 2, "llm:draft", "unused:agent"))

    summary = summarize(result, run)

    assert summary.outcome is Outcome.SUCCEEDED
    assert (summary.totals.frames, summary.totals.replayed, summary.totals.live) == (5, 2, 2)
    assert (summary.totals.tokens_spent, summary.totals.tokens_saved) == (700, 300)
    assert summary.counts() == "2 replayed, 2 live"


def test_a_reader_given_to_resume_is_used_and_left_open(recorded: Path) -> None:
    with VCRReader(recorded) as reader:
        result = resume(reader, agent, ResumeConfig(from_frame=3, mode=ResumeMode.REPLAY))
        assert result.succeeded and reader.frame(0).node_name == "llm:plan"  # still open
    assert result.totals.replayed == 4


def test_the_engines_own_error_frame_is_not_a_step(recorded: Path) -> None:
    def gives_up(task: dict[str, Any]) -> dict[str, Any]:
        draft(plan(task))
        raise ValueError("no budget left")

    result = resume(recorded, gives_up, ResumeConfig(from_frame=1, mode=ResumeMode.FORK))
    assert not result.succeeded and result.error_type == "ValueError"
    frames, sources, _ = read_back(result.fork_path)
    assert result.frames == frames == 4  # plan copied, the fork point, draft, the agent's error
    assert (result.totals.live, result.totals.failed_at) == (1, None)
    assert sources == {"replayed": 1, "fork": 1, "live": 1, None: 1}
