"""A resume's edit reaches the agent, or the result says in words that it did not.

Plain callables (a state in, a state out, no recorded steps inside) get the state at the fork
point with the edit; agents of recorded steps that never reach the fork point are reported as
such; ``skip_nodes`` holds in every mode.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from recorder import ResumeConfig, ResumeMode, VCRPlayer, VCRRecorder, resume, vcr_record

calls: Counter[str] = Counter()


@pytest.fixture(autouse=True)
def _fresh_counts() -> None:
    calls.clear()


def manual_recording(folder: Path) -> Path:
    """Three steps written with ``record_step`` by an agent the recorder knows nothing about."""
    rec = VCRRecorder(folder)
    rec.start_session(session_id="manual")
    rec.record_step("plan", {"task": "sum"}, {"task": "sum", "prompt": "add them"})
    rec.record_step("llm", {"task": "sum", "prompt": "add them"}, {"task": "sum", "prompt": "add them", "answer": 3})
    rec.record_step("check", {"answer": 3}, {"answer": 3, "ok": False})
    rec.close()
    assert rec.path is not None
    return rec.path


def whole_agent(state: dict[str, Any]) -> dict[str, Any]:
    """The seed's ``agent_callable`` shape: a state in, a state out."""
    calls["whole_agent"] += 1
    return {**state, "answer": len(state["prompt"])}


# -- 1. a plain callable gets the state at the fork point, edited ---------------------------------


def test_a_plain_callable_receives_the_edited_input_of_the_chosen_frame(tmp_path: Path) -> None:
    path = manual_recording(tmp_path)
    result = resume(path, whole_agent, ResumeConfig(from_frame=1, state_overrides={"prompt": "sum 1 and 2"}))
    assert result.succeeded and result.edit_applied and result.reason is None
    assert calls["whole_agent"] == 1 and result.counts.live == 1
    assert result.output == {"task": "sum", "prompt": "sum 1 and 2", "answer": 11}
    fork = VCRPlayer.load(result.fork_path)
    resumed = fork.get_frame(-1)
    assert (resumed.node_name, resumed.source) == ("whole_agent", "live")
    assert resumed.input_state == {"task": "sum", "prompt": "sum 1 and 2"}
    assert resumed.output_state == result.output


def test_a_plain_callable_receives_an_edited_output_when_the_edit_was_to_the_output(tmp_path: Path) -> None:
    path = manual_recording(tmp_path)
    player = VCRPlayer.load(path)
    edited = {**player.get_output_state(0), "prompt": "a much longer prompt"}
    result = player.resume(whole_agent, ResumeConfig(from_frame=0, state=edited, edit_output=True))
    assert result.succeeded and result.edit_applied
    assert result.output["answer"] == len("a much longer prompt")
    assert VCRPlayer.load(result.fork_path).get_frame(-1).input_state == edited


def test_a_plain_callable_that_raises_leaves_its_error_as_the_resumed_step(tmp_path: Path) -> None:
    def broken(state: dict[str, Any]) -> dict[str, Any]:
        raise KeyError("model")

    result = resume(manual_recording(tmp_path), broken, ResumeConfig(from_frame=1))
    assert not result.succeeded and result.error_type == "KeyError"
    last = VCRPlayer.load(result.fork_path).get_frame(-1)
    assert last.node_name == "broken" and last.is_error and last.input_state["prompt"] == "add them"


def test_call_with_state_hands_a_stepped_recording_to_a_plain_callable(tmp_path: Path) -> None:
    @vcr_record
    def step(state: dict[str, Any]) -> dict[str, Any]:
        return {**state, "n": state["n"] + 1}

    path = recorded_run(tmp_path, lambda task: step(step(task)), {"n": 0})
    config = ResumeConfig(from_frame=1, state_overrides={"n": 40}, call_with="state")
    result = resume(path, whole_agent_n, config)
    assert result.succeeded and result.output == {"n": 42}


def whole_agent_n(state: dict[str, Any]) -> dict[str, Any]:
    return {"n": state["n"] + 2}


# -- 2. no silent success ----------------------------------------------------------------------


@vcr_record
def first(state: dict[str, Any]) -> dict[str, Any]:
    calls["first"] += 1
    return {**state, "first": True}


@vcr_record
def second(state: dict[str, Any]) -> dict[str, Any]:
    calls["second"] += 1
    return {**state, "second": True}


def two_steps(state: dict[str, Any]) -> dict[str, Any]:
    return second(first(state))


def recorded_run(folder: Path, agent: Any, task: dict[str, Any]) -> Path:
    """A recording of one run of ``agent``; the call counts start again from zero after it."""
    rec = VCRRecorder(folder)
    rec.start_session()
    with rec:
        agent(task)
    calls.clear()
    assert rec.path is not None
    return rec.path


def stepped_recording(folder: Path) -> Path:
    return recorded_run(folder, two_steps, {"x": 1})


def test_an_agent_that_stops_before_the_fork_point_is_not_a_success(tmp_path: Path) -> None:
    path = stepped_recording(tmp_path)
    result = resume(path, first, ResumeConfig(from_frame=1, state_overrides={"x": 2}))  # never calls second
    assert not result.succeeded and not result.edit_applied
    assert result.reason is not None and "without reaching frame 1 (second)" in result.reason
    assert result.error == result.reason and result.error_type is None
    assert calls["second"] == 0


def test_an_agent_that_takes_no_recorded_step_is_not_a_success(tmp_path: Path) -> None:
    path = stepped_recording(tmp_path)

    def unrecorded(state: dict[str, Any]) -> dict[str, Any]:
        return {**state, "done": True}

    result = resume(path, unrecorded, ResumeConfig(from_frame=1, call_with="input"))
    assert not result.succeeded and not result.edit_applied
    assert (
        result.reason is not None and "took no recorded step" in result.reason and "call_with='state'" in result.reason
    )


def test_an_agent_that_raises_before_the_fork_point_says_the_edit_was_not_applied(tmp_path: Path) -> None:
    path = stepped_recording(tmp_path)

    def fails_early(state: dict[str, Any]) -> dict[str, Any]:
        first(state)
        raise RuntimeError("no model")

    result = resume(path, fails_early, ResumeConfig(from_frame=1))
    assert not result.succeeded and result.error_type == "RuntimeError"
    assert not result.edit_applied and "stopped before it reached frame 1" in (result.reason or "")


def test_an_agent_that_reaches_the_fork_point_applies_the_edit(tmp_path: Path) -> None:
    result = resume(stepped_recording(tmp_path), two_steps, ResumeConfig(from_frame=1, state_overrides={"x": 9}))
    assert result.succeeded and result.edit_applied and result.output == {"x": 9, "first": True, "second": True}
    assert calls == Counter({"second": 1})


# -- 3. skip_nodes in every mode -----------------------------------------------------------------


@vcr_record
def costly(state: dict[str, Any]) -> dict[str, Any]:
    calls["costly"] += 1
    return {**state, "costly": calls["costly"]}


@vcr_record
def cheap(state: dict[str, Any]) -> dict[str, Any]:
    calls["cheap"] += 1
    return {**state, "cheap": state.get("cheap", 0) + 1}


def pipeline(state: dict[str, Any]) -> dict[str, Any]:
    return cheap(costly(cheap(state)))


@pytest.mark.parametrize("mode", [ResumeMode.FORK, ResumeMode.MOCK])
def test_skip_nodes_hold_in_fork_and_mock_mode(tmp_path: Path, mode: ResumeMode) -> None:
    path = recorded_run(tmp_path, pipeline, {"x": 1})
    recorded_costly = VCRPlayer.load(path).get_output_state(1)["costly"]
    config = ResumeConfig(from_frame=0, state_overrides={"x": 2}, skip_nodes=["costly"], mode=mode)
    result = resume(path, pipeline, config)
    assert result.succeeded, result.error
    assert calls["costly"] == 0 and calls["cheap"] == 2 and result.counts.skipped == 1
    assert result.output["costly"] == recorded_costly  # the recorded output stood in for the step
    sources = [(f.node_name, f.source) for f in VCRPlayer.load(result.fork_path)]
    assert sources[-3:] == [("cheap", "live"), ("costly", "skipped"), ("cheap", "live")]
