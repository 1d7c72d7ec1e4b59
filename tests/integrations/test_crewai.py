"""CrewAI: a real crew (the example's, with a scripted ``BaseLLM``) recorded and resumed from a task.

CrewAI runs in a cached virtualenv of its own (``framework_venv``); one subprocess records the
crew and resumes it every way a user can (``crewai_scenarios``), and these tests read the
recordings back with the engine. The integration module itself must import without CrewAI.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from recorder import FrameType, VCRReader
from recorder.models import Frame

pytestmark = pytest.mark.slow
HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def crew(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from tests.support.framework_venv import require_framework

    venv = require_framework("crewai")
    out = tmp_path_factory.mktemp("crewai")
    summary: dict[str, Any] = venv.run(HERE / "crewai_scenarios.py", str(out), cwd=out, timeout=900)
    return summary


def frames(path: str) -> list[Frame]:
    with VCRReader(path) as reader:
        return [reader.frame(index) for index in range(len(reader))]


def names(path: str) -> list[str]:
    return [frame.node_name for frame in frames(path)]


def test_every_task_llm_call_tool_call_and_step_is_a_frame(crew: dict[str, Any]) -> None:
    recorded = frames(crew["recording"])
    kinds = {(frame.node_name, frame.frame_type) for frame in recorded}
    assert ("research", FrameType.NODE_EXECUTION) in kinds
    assert ("llm:scripted-research-1", FrameType.LLM_CALL) in kinds
    assert ("tool:nightly_rate", FrameType.TOOL_CALL) in kinds
    assert ("researcher", FrameType.NODE_EXECUTION) in kinds  # an agent step
    tasks = [frame.node_name for frame in recorded if frame.metadata.custom["crewai"]["kind"] == "task"]
    assert tasks == ["research", "plan", "book"]
    # Each task's frame follows the frames of its insides.
    ordered = names(crew["recording"])
    assert ordered.index("tool:nightly_rate") < ordered.index("research") < ordered.index("llm:scripted-plan-1")
    assert ordered.index("llm:scripted-plan-1") < ordered.index("plan") < ordered.index("tool:book")


def test_a_finished_model_call_is_on_disk_before_the_agent_goes_on(crew: dict[str, Any]) -> None:
    # A crash in the middle of a task loses at most the step it was in, not the task's frames.
    assert crew["on_disk_at_tool_call"] == ["llm:scripted-research-1"]


def test_a_finished_task_is_on_disk_before_the_crew_goes_on(crew: dict[str, Any]) -> None:
    seen = crew["on_disk_as_tasks_start"]
    assert seen["first"] == []
    assert seen["second"] == ["llm:scripted-first-1", "first"]
    assert seen["third"] == ["llm:scripted-first-1", "first", "llm:scripted-second-1", "second"]
    # The last task is written as it ends, before the kickoff's own end and its callbacks.
    assert seen["after kickoff"] == [*seen["third"], "llm:scripted-third-1", "third"]


def test_a_model_call_is_on_disk_while_a_task_waits_for_human_input(crew: dict[str, Any]) -> None:
    # No step starts after a task's last model call: a person's answer must not be waited for with it in memory.
    assert crew["on_disk_at_human_input"] == ["llm:scripted-asked-1"]


def test_a_task_frame_holds_its_input_context_and_output(crew: dict[str, Any]) -> None:
    plan = next(frame for frame in frames(crew["recording"]) if frame.node_name == "plan")
    assert plan.input_state["description"] == "Work out the total for 3 nights."
    assert plan.input_state["expected_output"] == "The total in EUR."
    assert plan.input_state["agent"] == "planner"
    assert "The nightly rate is 12050 EUR." in plan.input_state["context"]  # the research task's output
    assert plan.output_state["raw"] == "Total for 3 nights: 36150 EUR."
    assert plan.output_state["agent"] == "planner"


def test_a_task_outputs_json_is_byte_for_byte_pydantics(crew: dict[str, Any]) -> None:
    assert crew["task_outputs_unlike_pydantic"] == []


def test_a_task_answered_in_one_model_call_is_written_as_the_event_handlers_write_it(
    crew: dict[str, Any],
) -> None:
    paths = crew["one_call_tasks"]
    assert paths["taken"] >= 2  # the plan task, recorded and run again in the fork
    assert min(paths["frames"]) > 3
    assert paths["same"]


def test_a_recorded_kickoff_leaves_no_stream_sink_behind(crew: dict[str, Any]) -> None:
    assert crew["sinks_left_after_kickoffs"] == 0


def test_llm_frames_carry_messages_response_model_and_tokens(crew: dict[str, Any]) -> None:
    call = next(frame for frame in frames(crew["recording"]) if frame.node_name == "llm:scripted-plan-1")
    assert call.metadata.model == "scripted-plan-1"
    assert any("Work out the total" in message["content"] for message in call.input_state["messages"])
    assert call.output_state["response"].endswith("Total for 3 nights: 36150 EUR.")
    assert call.metadata.tokens_input and call.metadata.tokens_output
    assert call.metadata.tokens_used == call.metadata.tokens_input + call.metadata.tokens_output
    assert call.metadata.custom["crewai"] == {"kind": "model", "task": "plan", "agent": "planner"}


def test_tool_calls_record_arguments_results_and_errors(crew: dict[str, Any]) -> None:
    recorded = frames(crew["recording"])
    rate = next(frame for frame in recorded if frame.node_name == "tool:nightly_rate")
    assert rate.input_state == {"city": "Lisbon"}
    assert rate.output_state == {"result": "120.50", "error": None}
    failed = [frame for frame in recorded if frame.node_name == "tool:book"]
    assert failed and all(frame.frame_type is FrameType.ERROR for frame in failed)
    assert failed[0].input_state == {"total_eur": 36150.0}
    assert "over budget: 36150 EUR" in failed[0].output_state["error"]
    assert failed[0].metadata.error_type == "ToolError"


def test_resume_from_a_task_answers_the_tasks_before_it_from_the_recording(crew: dict[str, Any]) -> None:
    fork = crew["fork"]
    assert fork["succeeded"], fork["error"]
    assert fork["raw"] == "BOOKED."
    # The research task was answered from the recording: its LLM was never called again.
    assert fork["llm_calls"] == {"scripted-plan-1": 1, "scripted-book-1": 2}
    assert fork["counts"]["from_recording"] == 1
    resumed = frames(fork["fork"])
    marks = {frame.node_name: frame.metadata.custom.get("source") for frame in resumed}
    assert marks["research"] == "replayed" and marks["fork:plan"] == "fork"
    assert marks["plan"] == marks["book"] == marks["tool:book"] == "live"
    plan = [frame for frame in resumed if frame.node_name == "plan"][-1]
    assert "The nightly rate is 120.50 EUR." in plan.input_state["context"]  # the edit, applied
    assert plan.output_state["raw"] == "Total for 3 nights: 361.5 EUR."
    with VCRReader(fork["fork"]) as reader:
        assert reader.session.parent_session_id is not None


def test_replay_answers_unchanged_tasks_without_any_llm_call(crew: dict[str, Any]) -> None:
    replay = crew["replay"]
    assert replay["llm_calls"] == {}
    assert replay["counts"]["replayed"] == 2  # the plan task (unchanged) and the booking after it
    assert not replay["succeeded"] and "CANNOT BOOK" in replay["error"]  # the recorded outcome, again
    resumed = frames(replay["fork"])
    start = next(frame.index for frame in resumed if frame.metadata.custom.get("source") == "fork")
    after = resumed[start + 1 :]
    assert [frame.node_name for frame in after] == ["plan", "book", "agent"]  # and the crew's error, again
    assert all(frame.metadata.custom.get("source") == "replayed" for frame in after[:2])
    assert after[2].frame_type is FrameType.ERROR and "CANNOT BOOK" in after[2].output_state["error"]
    assert after[0].output_state["raw"] == "Total for 3 nights: 36150 EUR."


def test_resume_crew_takes_a_crew_factory(crew: dict[str, Any]) -> None:
    factory = crew["factory"]
    assert factory["llm_calls"] == {"scripted-book-1": 2}  # research and plan came from the recording
    assert factory["counts"]["from_recording"] == 2


def test_an_edited_task_output_feeds_the_tasks_after_it(crew: dict[str, Any]) -> None:
    edited = crew["edited_output"]
    assert edited["succeeded"], edited["error"]
    assert edited["llm_calls"] == {"scripted-plan-1": 1, "scripted-book-1": 2}
    assert edited["raw"] == "BOOKED."


def test_an_edit_inside_a_task_names_the_task_frame_to_resume_from(crew: dict[str, Any]) -> None:
    inner = crew["inner_edit"]
    assert not inner["succeeded"]
    assert "inside task 'plan'" in inner["error"] and "resume from that task's frame" in inner["error"]
    assert inner["llm_calls"] == {}


def test_the_examples_resume_from_the_command_line(crew: dict[str, Any]) -> None:
    assert crew["cli"] == [0, 2]  # fixed and booked; a frame the recording lacks is an input error


def test_the_debuggers_resume_runs_the_crew_from_agent_given_as_a_file(crew: dict[str, Any]) -> None:
    tui = crew["tui"]
    assert tui["outcome"] == "succeeded", tui["error"]
    assert tui["live"] >= 3
    assert "Resume succeeded" in tui["headline"]
    assert names(tui["fork"])[-1] == "book"


def test_vcr_task_records_into_its_recorder_or_the_active_one(crew: dict[str, Any]) -> None:
    decorated = crew["task_decorator"]
    own = frames(decorated["own"])
    assert [frame.node_name for frame in own] == ["research_step"]
    assert own[0].input_state == {"topic": "hotels"}
    assert own[0].output_state == {"return": "findings about hotels"}
    active = frames(decorated["active"])
    assert [frame.node_name for frame in active] == ["summarise", "research_step"]
    assert active[0].output_state == {"summary": "RECORDED"}


def test_a_kickoff_without_a_recorder_just_runs(crew: dict[str, Any]) -> None:
    assert "CANNOT BOOK" in crew["unrecorded"]["raw"]


def test_the_integration_imports_without_crewai() -> None:
    code = (
        "import sys; sys.modules['crewai'] = None\n"
        "from recorder.integrations.crewai import VCRCrewAI, CrewAIMissingError\n"
        "try:\n    VCRCrewAI().kickoff(object())\nexcept CrewAIMissingError as exc:\n    print('missing:', exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "pip install 'vcr-tui[crewai]'" in done.stdout
