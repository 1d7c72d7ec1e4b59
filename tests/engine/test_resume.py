"""Resume from the middle of a function-based agent, in each mode, with real recordings."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from recorder import (
    ResumeCancelled,
    ResumeConfig,
    ResumeMode,
    VCRPlayer,
    VCRRecorder,
    active_recorder,
    aresume,
    vcr_record,
)
from recorder.models import FrameType
from recorder.reader import VCRReader
from recorder.resume_plan import Action, ResumePlan

calls: Counter[str] = Counter()


@vcr_record
def plan(state: dict[str, Any]) -> dict[str, Any]:
    calls["plan"] += 1
    return {**state, "steps": ["write", "test"], "limit": 3}  # the bug: the limit should be 5


@vcr_record(node_name="llm:scripted", frame_type=FrameType.LLM_CALL)
def write_code(state: dict[str, Any]) -> dict[str, Any]:
    calls["write_code"] += 1
    return {**state, "code": f"LIMIT = {state['limit']}"}


@vcr_record(node_name="tool:run_tests", frame_type="tool")
def run_tests(state: dict[str, Any]) -> dict[str, Any]:
    calls["run_tests"] += 1
    if "LIMIT = 5" not in state["code"]:
        raise AssertionError("test_limit failed: expected 5")
    return {**state, "passed": True}


@vcr_record
def report(state: dict[str, Any]) -> str:
    calls["report"] += 1
    return f"done: {state['code']}"


def agent(task: dict[str, Any]) -> str:
    state = plan(task)
    state = write_code(state)
    state = run_tests(state)
    return report(state)


@pytest.fixture
def failed_run(tmp_path: Path) -> Path:
    calls.clear()
    rec = VCRRecorder(tmp_path)
    rec.start_session(session_id="run")
    with rec, pytest.raises(AssertionError):
        agent({"task": "raise the limit"})
    calls.clear()
    assert rec.path is not None
    return rec.path


def nodes(path: Path) -> list[tuple[str, str | None]]:
    return [(f.node_name, f.source) for f in VCRPlayer.load(path)]


def test_recording_a_function_agent(failed_run: Path) -> None:
    player = VCRPlayer.load(failed_run)
    assert [(f.node_name, f.frame_type) for f in player] == [
        ("plan", FrameType.NODE_EXECUTION),
        ("llm:scripted", FrameType.LLM_CALL),
        ("tool:run_tests", FrameType.ERROR),
    ]
    assert player.get_frame(0).input_state == {"task": "raise the limit"}
    assert player.get_frame(2).metadata.error_type == "AssertionError"


def test_fork_mode_fixes_the_run_from_the_guilty_frame(failed_run: Path) -> None:
    before = failed_run.read_bytes()
    result = VCRPlayer.load(failed_run).resume(agent, ResumeConfig(from_frame=1, state_overrides={"limit": 5}))
    assert result.succeeded and result.output == "done: LIMIT = 5"
    assert calls == Counter({"write_code": 1, "run_tests": 1, "report": 1})  # plan came from the recording
    assert failed_run.read_bytes() == before  # the recording is evidence: untouched
    fork = VCRPlayer.load(result.fork_path)
    assert (fork.session.parent_session_id, fork.session.forked_from_frame) == ("run", 1)
    assert nodes(result.fork_path) == [
        ("plan", "replayed"),
        ("fork:llm:scripted", "fork"),
        ("llm:scripted", "live"),
        ("tool:run_tests", "live"),
        ("report", "live"),
    ]
    assert fork.get_frame(2).input_state["limit"] == 5
    assert fork.get_frame(4).output_state == {"return": "done: LIMIT = 5"}


def test_failing_resume_keeps_frames_and_an_error_frame(failed_run: Path) -> None:
    result = VCRPlayer.load(failed_run).resume(agent, ResumeConfig(from_frame=1, state_overrides={"limit": 4}))
    assert not result.succeeded and result.error_type == "AssertionError"
    assert nodes(result.fork_path)[-2:] == [("llm:scripted", "live"), ("tool:run_tests", None)]
    last = VCRPlayer.load(result.fork_path).get_frame(-1)
    assert last.frame_type is FrameType.ERROR and "expected 5" in (last.metadata.error_message or "")
    assert VCRPlayer.load(result.fork_path).session.frame_count == 4


def test_replay_answers_unchanged_steps_without_calling_them(tmp_path: Path) -> None:
    @vcr_record
    def step(state: dict[str, Any]) -> dict[str, Any]:
        calls["step"] += 1
        return {"n": state["n"] + 1}

    def counting_agent(state: dict[str, Any]) -> dict[str, Any]:
        for _ in range(50):
            state = step(state)
        return state

    rec = VCRRecorder(tmp_path)
    rec.start_session()
    with rec:
        counting_agent({"n": 0})
    calls.clear()
    assert rec.path is not None
    player = VCRPlayer.load(rec.path)
    unchanged = player.resume(counting_agent, ResumeConfig(from_frame=10, mode=ResumeMode.REPLAY))
    assert unchanged.succeeded and unchanged.output == {"n": 50}
    assert calls["step"] == 0 and unchanged.agent_calls == 0 and unchanged.counts.replayed == 40
    assert {f.source for f in VCRPlayer.load(unchanged.fork_path).iter_frames(11)} == {"replayed"}

    edited = player.resume(
        counting_agent, ResumeConfig(from_frame=10, mode=ResumeMode.REPLAY, state_overrides={"n": 100})
    )
    assert edited.output == {"n": 140} and calls["step"] == 40  # inputs differ from the edit on
    assert edited.counts.replayed == 0 and edited.counts.live == 40


def test_replay_goes_live_at_the_first_changed_input_and_stays_live(tmp_path: Path) -> None:
    @vcr_record
    def clamp(state: dict[str, Any]) -> dict[str, Any]:
        calls["clamp"] += 1
        return {"v": min(state["v"], 10), "tag": state["tag"]}

    @vcr_record
    def tag(state: dict[str, Any]) -> dict[str, Any]:
        calls["tag"] += 1
        return {"v": state["v"], "tag": state["tag"] + "!"}

    def pipeline(state: dict[str, Any]) -> dict[str, Any]:
        return tag(clamp(tag(state)))

    rec = VCRRecorder(tmp_path)
    rec.start_session()
    with rec:
        pipeline({"v": 50, "tag": "a"})
    calls.clear()
    assert rec.path is not None
    # editing the first step's input so that clamp still returns the same value after it
    result = VCRPlayer.load(rec.path).resume(
        pipeline, ResumeConfig(from_frame=0, mode=ResumeMode.REPLAY, state_overrides={"v": 60})
    )
    assert result.output == {"v": 10, "tag": "a!!"}
    assert [s for _, s in nodes(result.fork_path)] == ["fork", "live", "live", "live"]
    assert calls == Counter({"tag": 2, "clamp": 1})  # once live, every later step runs


def test_identical_repeated_calls_replay_in_recorded_order(tmp_path: Path) -> None:
    counter = iter(range(100))

    @vcr_record(node_name="tool:dice", frame_type="tool")
    def roll(sides: int) -> int:
        calls["roll"] += 1
        return next(counter)

    @vcr_record
    def start(state: dict[str, Any]) -> dict[str, Any]:
        return state

    def game(state: dict[str, Any]) -> list[int]:
        start(state)
        return [roll(6) for _ in range(4)]

    rec = VCRRecorder(tmp_path)
    rec.start_session()
    with rec:
        assert game({"seed": 1}) == [0, 1, 2, 3]
    calls.clear()
    assert rec.path is not None
    result = VCRPlayer.load(rec.path).resume(game, ResumeConfig(from_frame=0, mode=ResumeMode.REPLAY))
    assert result.output == [0, 1, 2, 3] and calls["roll"] == 0
    fork = VCRPlayer.load(result.fork_path)
    assert [f.input_state for f in fork.iter_frames(2)] == [{"sides": 6}] * 4


def test_mock_mode_replaces_named_tools(failed_run: Path) -> None:
    config = ResumeConfig(
        from_frame=1,
        mode=ResumeMode.MOCK,
        state_overrides={"limit": 4},
        inject_mocks={"run_tests": {"passed": True, "code": "mocked"}},
    )
    result = VCRPlayer.load(failed_run).resume(agent, config)
    assert result.succeeded and result.output == "done: mocked"
    assert calls["run_tests"] == 0 and result.counts.mocked == 1
    assert nodes(result.fork_path)[-2:] == [("tool:run_tests", "mocked"), ("report", "live")]


def test_skip_nodes_return_the_recorded_output(tmp_path: Path) -> None:
    @vcr_record
    def slow(state: dict[str, Any]) -> dict[str, Any]:
        calls["slow"] += 1
        return {**state, "slow": calls["slow"]}

    def flow(state: dict[str, Any]) -> dict[str, Any]:
        return slow(slow(state))

    rec = VCRRecorder(tmp_path)
    rec.start_session()
    with rec:
        flow({"x": 1})
    calls.clear()
    assert rec.path is not None
    result = VCRPlayer.load(rec.path).resume(
        flow, ResumeConfig(from_frame=0, state_overrides={"x": 2}, skip_nodes=["slow"], mode=ResumeMode.REPLAY)
    )
    assert calls["slow"] == 1  # the fork point ran; the later one was skipped
    assert result.output == {"x": 1, "slow": 2}
    assert nodes(result.fork_path)[-1] == ("slow", "skipped")


def test_editing_an_output_keeps_the_step_and_changes_its_result(failed_run: Path) -> None:
    player = VCRPlayer.load(failed_run)
    fixed = {**player.get_frame(1).output_state, "code": "LIMIT = 5"}
    result = player.resume(agent, ResumeConfig(from_frame=1, state=fixed, edit_output=True))
    assert result.succeeded and calls["write_code"] == 0 and calls["run_tests"] == 1
    assert nodes(result.fork_path)[1:3] == [("fork:llm:scripted", "fork"), ("llm:scripted", "edited")]


def test_cancel_stops_at_the_next_step(failed_run: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    result = VCRPlayer.load(failed_run).resume(
        agent, ResumeConfig(from_frame=1, state_overrides={"limit": 5}), cancel=cancel
    )
    assert result.cancelled and not result.succeeded and calls["write_code"] == 0
    assert VCRPlayer.load(result.fork_path).get_frame(-1).node_name == "cancelled"
    assert issubclass(ResumeCancelled, BaseException) and not issubclass(ResumeCancelled, Exception)


def test_async_agent_resumes(tmp_path: Path) -> None:
    @vcr_record
    async def fetch(state: dict[str, Any]) -> dict[str, Any]:
        calls["fetch"] += 1
        await asyncio.sleep(0)
        return {**state, "fetched": state["url"]}

    @vcr_record
    async def parse(state: dict[str, Any]) -> dict[str, Any]:
        calls["parse"] += 1
        return {**state, "title": state["fetched"].upper()}

    async def crawler(state: dict[str, Any]) -> dict[str, Any]:
        return await parse(await fetch(state))

    rec = VCRRecorder(tmp_path)
    rec.start_session()

    async def record() -> None:
        with rec:
            await crawler({"url": "a"})

    asyncio.run(record())
    calls.clear()
    assert rec.path is not None
    result = asyncio.run(aresume(rec.path, crawler, ResumeConfig(from_frame=1, state_overrides={"fetched": "b"})))
    assert result.output == {"url": "a", "fetched": "b", "title": "B"}
    assert calls == Counter({"parse": 1})


def test_keyword_style_functions_and_methods(tmp_path: Path) -> None:
    class Tools:
        @vcr_record(node_name="tool:add", frame_type="tool")
        def add(self, a: int, b: int = 1) -> int:
            calls["add"] += 1
            return a + b

    tools = Tools()
    rec = VCRRecorder(tmp_path)
    rec.start_session()
    with rec:
        assert tools.add(2, b=3) == 5
    assert rec.path is not None
    first = VCRPlayer.load(rec.path).get_frame(0)
    assert (first.input_state, first.output_state) == ({"a": 2, "b": 3}, {"return": 5})

    def uses_tools(_: Any) -> int:
        return tools.add(2, b=3)

    result = VCRPlayer.load(rec.path).resume(uses_tools, ResumeConfig(from_frame=0, state_overrides={"b": 10}))
    assert result.output == 12


def test_the_active_recorder_is_per_thread_and_absent_means_plain_calls(tmp_path: Path) -> None:
    assert write_code({"limit": 1}) == {"limit": 1, "code": "LIMIT = 1"}  # no recorder: just a call
    rec = VCRRecorder(tmp_path)
    rec.start_session()
    seen: list[object] = []
    with rec:
        thread = threading.Thread(target=lambda: seen.append(active_recorder()))
        thread.start()
        thread.join()
    assert seen == [None]


def test_report_usage_puts_tokens_on_the_step_and_replay_costs_none(tmp_path: Path) -> None:
    from recorder import report_usage

    @vcr_record(node_name="llm:tiny", frame_type="llm")
    def ask(state: dict[str, Any]) -> dict[str, Any]:
        calls["ask"] += 1
        assert report_usage(model="tiny", tokens_input=10, tokens_output=5, cost_usd=0.01, cache="miss")
        return {"answer": state["q"] * 2}

    def chat(state: dict[str, Any]) -> list[dict[str, Any]]:
        return [ask(state), ask({"q": state["q"] + 1})]

    assert not report_usage(tokens_input=1)  # outside a step: nothing to attach to
    rec = VCRRecorder(tmp_path)
    rec.start_session()
    with rec:
        chat({"q": 1})
    assert rec.path is not None
    player = VCRPlayer.load(rec.path)
    first = player.get_frame(0).metadata
    assert (first.model, first.tokens_used, first.cost_usd, first.custom["cache"]) == ("tiny", 15, 0.01, "miss")
    assert player.session.total_tokens == 30
    calls.clear()
    result = player.resume(chat, ResumeConfig(from_frame=0, mode=ResumeMode.REPLAY))
    assert calls["ask"] == 0
    fork = VCRPlayer.load(result.fork_path)
    assert fork.session.total_tokens == 0
    assert fork.get_frame(-1).metadata.custom["recorded_tokens"] == 15
    assert fork.get_frame(-1).metadata.custom["recorded_cost_usd"] == 0.01


def test_a_branch_past_the_fork_point_that_calls_first_is_served_as_past_it(tmp_path: Path) -> None:
    """Side-by-side branches call in any order: one recorded after the fork point is past it either way."""
    with VCRRecorder(tmp_path) as recorder:
        recorder.start_session("branches")
        for name in ("left", "middle", "right"):
            recorder.record_step(name, {"n": 1}, {"trail": [name]})
        assert recorder.path is not None
        path = recorder.path
    reader = VCRReader(path)
    left, middle, right = (reader.frame(index) for index in range(3))

    plan = ResumePlan(reader, 1, ResumeMode.REPLAY, edited_state={"n": 1})
    assert plan.decide("right", {"n": 1}, repeats=right).action is Action.REPLAY  # called first: still replayed
    assert plan.decide("left", {"n": 1}, repeats=left).action is Action.RECORDED
    assert plan.decide("middle", {"n": 1}, repeats=middle).action is Action.REPLAY  # the fork point, unedited

    plan = ResumePlan(reader, 1, ResumeMode.FORK, edited_state={"n": 2})
    assert plan.decide("right", {"n": 2}, repeats=right).action is Action.LIVE
    decision = plan.decide("middle", {"n": 2}, repeats=middle)
    assert decision.action is Action.LIVE and decision.state == {"n": 2} and decision.matched is middle
