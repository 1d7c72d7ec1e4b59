"""AutoGen AgentChat: real teams (the example's, with scripted model clients) recorded and resumed from a message.

AutoGen runs in a cached virtualenv of its own (``framework_venv``); one subprocess records the
teams and resumes them (``autogen_scenarios``), and these tests read the recordings back with the
engine. The integration module itself must import without AutoGen.
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
def team(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from tests.support.framework_venv import require_framework

    venv = require_framework("autogen")
    out = tmp_path_factory.mktemp("autogen")
    summary: dict[str, Any] = venv.run(HERE / "autogen_scenarios.py", str(out), cwd=out, timeout=600)
    return summary


def frames(path: str) -> list[Frame]:
    with VCRReader(path) as reader:
        return [reader.frame(index) for index in range(len(reader))]


def test_each_message_model_call_and_tool_call_is_a_frame_in_order(team: dict[str, Any]) -> None:
    recorded = frames(team["recording"])
    assert [(frame.node_name, frame.frame_type) for frame in recorded] == [
        ("user", FrameType.NODE_EXECUTION),
        ("llm:scripted-research-1", FrameType.LLM_CALL),
        ("tool:nightly_rate", FrameType.TOOL_CALL),
        ("llm:scripted-research-1", FrameType.LLM_CALL),
        ("researcher", FrameType.NODE_EXECUTION),
        ("llm:scripted-plan-1", FrameType.LLM_CALL),
        ("planner", FrameType.NODE_EXECUTION),
        ("llm:scripted-book-1", FrameType.LLM_CALL),
        ("tool:book", FrameType.ERROR),
        ("llm:scripted-book-1", FrameType.LLM_CALL),
        ("booker", FrameType.NODE_EXECUTION),
    ]


def test_a_message_frame_holds_the_thread_its_sender_saw(team: dict[str, Any]) -> None:
    recorded = frames(team["recording"])
    planner = next(frame for frame in recorded if frame.node_name == "planner")
    thread = planner.input_state["messages"]
    assert [message["source"] for message in thread] == ["user", "researcher"]
    assert thread[1]["content"] == "The nightly rate is 12050 EUR."
    assert planner.output_state["message"]["content"] == "Total for 3 nights: 36150 EUR."
    assert planner.metadata.custom["autogen"] == {"kind": "message", "type": "TextMessage", "turn": 2}


def test_model_and_tool_frames_carry_what_autogen_reported(team: dict[str, Any]) -> None:
    recorded = frames(team["recording"])
    call = next(frame for frame in recorded if frame.node_name == "llm:scripted-plan-1")
    assert call.metadata.model == "scripted-plan-1"
    assert call.metadata.tokens_used == call.metadata.tokens_input + call.metadata.tokens_output > 0
    assert any("12050" in str(message.get("content")) for message in call.input_state["messages"])
    assert call.output_state["response"]["content"] == "Total for 3 nights: 36150 EUR."
    rate = next(frame for frame in recorded if frame.node_name == "tool:nightly_rate")
    assert rate.input_state == {"city": "Lisbon"}
    assert rate.output_state == {"result": "120.50", "error": None}
    refused = next(frame for frame in recorded if frame.node_name == "tool:book")
    assert refused.input_state == {"total_eur": 36150.0}
    assert "over budget: 36150 EUR" in refused.output_state["error"]
    assert refused.metadata.error_type == "ToolError"


def test_resume_from_a_message_loads_the_thread_and_runs_the_rest_live(team: dict[str, Any]) -> None:
    fork = team["fork"]
    assert fork["succeeded"], fork["error"]
    assert fork["last"] == "BOOKED."
    assert fork["model_calls"] == {"scripted-plan-1": 1, "scripted-book-1": 2}  # not the researcher's
    resumed = frames(fork["fork"])
    start = next(frame.index for frame in resumed if frame.metadata.custom.get("source") == "fork")
    after = [(frame.node_name, frame.metadata.custom.get("source")) for frame in resumed[start + 1 :]]
    assert after == [
        ("llm:scripted-plan-1", "live"),
        ("planner", "live"),
        ("llm:scripted-book-1", "live"),
        ("tool:book", "live"),
        ("llm:scripted-book-1", "live"),
        ("booker", "live"),
    ]
    planner = resumed[start + 2]
    assert planner.input_state["messages"][1]["content"] == "The nightly rate is 120.50 EUR."  # the edit
    assert planner.output_state["message"]["content"] == "Total for 3 nights: 361.5 EUR."
    assert resumed[-1].input_state["messages"][-1]["source"] == "planner"  # the thread goes on from the edit


def test_an_edited_message_joins_the_thread_and_the_next_speaker_goes_on(team: dict[str, Any]) -> None:
    edited = team["edited_output"]
    assert edited["succeeded"], edited["error"]
    assert edited["model_calls"] == {"scripted-plan-1": 1, "scripted-book-1": 2}


def test_a_call_inside_a_turn_names_the_message_to_resume_from(team: dict[str, Any]) -> None:
    inner = team["inner"]
    assert not inner["succeeded"]
    assert "resume from frame 4 (the message it led to)" in inner["error"]
    assert inner["model_calls"] == {}


def test_the_examples_resume_from_the_command_line(team: dict[str, Any]) -> None:
    assert team["cli"] == [0, 2]  # fixed and booked; a frame the recording lacks is an input error


def test_the_debuggers_resume_runs_the_team_from_agent_given_as_a_file(team: dict[str, Any]) -> None:
    tui = team["tui"]
    assert tui["outcome"] == "succeeded", tui["error"]
    assert tui["live"] == 6


def test_a_selector_team_is_recorded_and_resumed_too(team: dict[str, Any]) -> None:
    selector = team["selector"]
    assert "CANNOT BOOK" in selector["last"]
    recorded = frames(selector["recording"])
    assert [f.node_name for f in recorded if f.metadata.custom["autogen"]["kind"] == "message"] == [
        "user",
        "researcher",
        "planner",
        "booker",
    ]
    assert any(frame.node_name == "llm:scripted-selector-1" for frame in recorded)  # the selection itself
    again = selector["resumed"]
    assert again["succeeded"], again["error"]
    assert again["last"] == "BOOKED."
    assert "scripted-research-1" not in again["model_calls"]


def test_a_run_without_a_recorder_just_runs(team: dict[str, Any]) -> None:
    assert team["unrecorded"]["messages"] == 8  # 4 chat messages and the researcher's and booker's tool events


def test_the_integration_imports_without_autogen() -> None:
    code = (
        "import asyncio, sys; sys.modules['autogen_agentchat'] = None\n"
        "from recorder.integrations.autogen import VCRAutoGen, AutoGenMissingError\n"
        "try:\n    asyncio.run(VCRAutoGen().run(object(), task='x'))\n"
        "except AutoGenMissingError as exc:\n    print('missing:', exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "pip install 'vcr-tui[autogen]'" in done.stdout
