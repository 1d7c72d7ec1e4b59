"""The diff pane on a recorded LangGraph run: what a node changed in the graph's state.

A node returns an update that reducers merge into the state; comparing input with update would
call every untouched key removed. The pane compares the state before the node with the state
after it, the next node's input in the same graph and invocation, and falls back to the keys the
node updated where no later state was recorded. Recordings come from real ``langgraph`` runs.
"""

from __future__ import annotations

import operator
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest

pytest.importorskip("langgraph")

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.graph import StateGraph
from langgraph.graph.message import add_messages

from recorder import VCRPlayer, VCRRecorder
from recorder.integrations.langgraph import VCRLangGraph
from tests.integrations.test_langgraph import build_with_subgraph, linear
from tests.integrations.test_langgraph_turns import build_map_reduce
from tests.support.app_support import diff_text, press, settle
from vcr_tui.app import VCRApp
from vcr_tui.logic.step_change import state_after
from vcr_tui.widgets.frame_details import FrameDetails

SIZE = (120, 40)


class Chat(TypedDict, total=False):
    topic: str
    notes: Annotated[list[str], operator.add]
    messages: Annotated[list[AnyMessage], add_messages]


def build_chat() -> StateGraph:  # type: ignore[type-arg]
    def ask(state: Chat) -> dict[str, Any]:
        return {"messages": [AIMessage(content=f"about {state['topic']}?", id="a1")], "notes": ["asked"]}

    def answer(state: Chat) -> dict[str, Any]:
        return {"messages": [AIMessage(content="done", id="a2")], "topic": "closed"}

    return linear(Chat, ask=ask, answer=answer)


def record(tmp_path: Path, builder: StateGraph, *inputs: dict[str, Any]) -> Path:  # type: ignore[type-arg]
    recorder = VCRRecorder(tmp_path)
    recorder.start_session(session_id="graph")
    app = VCRLangGraph(recorder).wrap_graph(builder).compile()
    for state in inputs:
        app.invoke(state)
    recorder.close()
    assert recorder.path is not None
    return recorder.path


async def test_a_node_shows_what_it_changed_in_the_graph_state(tmp_path: Path) -> None:
    path = record(tmp_path, build_chat(), {"topic": "rates", "notes": [], "messages": [HumanMessage("hi", id="h")]})
    app = VCRApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = diff_text(app)
        assert "#0 input → #1 input (state after)" in text
        assert "2 changes: 2 added" in text
        assert "$.messages[1]" in text and "$.notes[0]" in text
        assert "removed" not in text and "$.topic" not in text  # untouched keys are not "removed"
        details = app.screen.query_one(FrameDetails).render().plain
        assert "langgraph step 1 · invocation 1" in details and "'ns'" not in details
        await press(pilot, "j")  # the last node: no later state, so the keys it updated
        text = diff_text(app)
        assert "#1 input (keys updated) → #1 update" in text
        assert '~ $.topic  "rates" → "closed"' in text
        assert "+ $.messages[0]" in text and "2 changes: 1 added, 1 changed" in text  # the reply, added
        assert "$.notes" not in text


def test_frames_of_sent_workers_say_which_send_they_ran_from() -> None:
    from recorder.models import Frame, FrameMetadata
    from vcr_tui.widgets.frame_details import detail_chunks

    facts = {"ns": "worker:abc", "step": 2, "run": 3, "push": True, "send": 1}
    frame = Frame(frame_id="f", session_id="s", node_name="worker", metadata=FrameMetadata(custom={"langgraph": facts}))
    text = " ".join(chunk.plain for chunk in detail_chunks(frame))
    assert "langgraph step 2 · invocation 3 · Send #1" in text


def test_the_state_after_a_node_stays_in_its_graph_and_its_invocation(tmp_path: Path) -> None:
    nested = record(tmp_path / "nested", build_with_subgraph(), {"n": 0, "trail": []})
    player = VCRPlayer.load(nested)
    frames = list(player)
    names = [frame.node_name for frame in frames]
    assert names == ["start", "inner/one", "inner/two", "inner/three", "inner", "finish"]
    after = {frame.node_name: state_after(frame, player.get_frame, len(frames)) for frame in frames}
    # the subgraph's own node is recorded after the nodes inside it; its input is the state after start
    assert after["start"] is not None and after["start"].node_name == "inner"
    assert after["inner"] is not None and after["inner"].node_name == "finish"
    assert after["inner/one"] is not None and after["inner/one"].node_name == "inner/two"
    assert after["inner/three"] is None and after["finish"] is None

    mapped = record(tmp_path / "mapped", build_map_reduce(), {"results": []})
    player = VCRPlayer.load(mapped)
    frames = list(player)
    assert [frame.node_name for frame in frames] == ["plan", "worker", "worker", "worker", "join"]
    after_plan = state_after(frames[0], player.get_frame, len(frames))
    assert after_plan is not None and after_plan.node_name == "join"  # not a worker: its input is its send's
    assert all(state_after(frame, player.get_frame, len(frames)) is None for frame in frames[1:4])

    turns = record(tmp_path / "turns", build_chat(), {"topic": "one"}, {"topic": "two"})
    player = VCRPlayer.load(turns)
    frames = list(player)
    assert [frame.node_name for frame in frames] == ["ask", "answer", "ask", "answer"]
    assert state_after(frames[1], player.get_frame, 4) is None  # the next turn starts from its own input
    next_state = state_after(frames[2], player.get_frame, 4)
    assert next_state is not None and next_state.index == 3


async def test_odd_langgraph_facts_in_a_file_are_shown_safely_or_ignored(tmp_path: Path) -> None:
    odd_facts: list[Any] = [
        {"ns": 5, "step": 1},
        {"ns": "a:1", "step": "two"},
        {"ns": "a:1", "step": 2, "run": "\x1b[31mred", "push": "yes", "send": {"x": 1}},
        [1, 2],
        {"ns": "a:1|b:2", "step": 3, "run": -4},
        {"ns": "a:1", "step": 10**30, "run": 1},
    ]
    recorder = VCRRecorder(tmp_path)
    recorder.start_session(session_id="odd")
    for index, facts in enumerate(odd_facts):
        recorder.record_step(f"n{index}", {"k": index}, {"k": index + 1}, metadata={"custom": {"langgraph": facts}})
    recorder.close()
    assert recorder.path is not None
    app = VCRApp(recorder.path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for index in range(len(odd_facts)):
            details = app.screen.query_one(FrameDetails).render().plain
            assert "\x1b" not in details and "Traceback" not in diff_text(app)
            assert diff_text(app).strip()  # a comparison is shown for every frame
            if index < len(odd_facts) - 1:
                await press(pilot, "j")
