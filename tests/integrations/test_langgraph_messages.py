"""Chat histories recorded node after node: each message is wrapped and searched for enums once.

The cache must never change what a frame says: every frame still holds each message as it is at
that moment. These run real LangGraph graphs whose nodes edit earlier messages in place, add
pydantic extra fields, and carry enum members, and compare every frame with the engine's own
encoding of the same state.
"""

from __future__ import annotations

import enum
import gc
import weakref
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest

pytest.importorskip("langgraph")

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages

from recorder import VCRPlayer, VCRRecorder, to_jsonable
from recorder.integrations.langgraph import VCRLangGraph
from recorder.integrations.langgraph.state import MESSAGE_WRAPPERS


class Mood(enum.Enum):
    CALM = "calm"
    CROSS = "cross"


class Chat(TypedDict):
    turn: int
    messages: Annotated[list[AnyMessage], add_messages]


def chain(*nodes: Any) -> tuple[StateGraph, list[dict[str, Any]]]:  # type: ignore[type-arg]
    """A linear graph of ``nodes``, and the list each node's input goes into, as the engine encodes it."""
    seen: list[dict[str, Any]] = []
    builder: StateGraph = StateGraph(Chat)  # type: ignore[type-arg]
    previous = START
    for index, node in enumerate(nodes):

        def spy(state: Chat, node: Any = node) -> Any:
            seen.append(to_jsonable(state))  # uncached: the full encoder on the live state
            return node(state)

        builder.add_node(f"n{index}", spy)
        builder.add_edge(previous, f"n{index}")
        previous = f"n{index}"
    return builder, seen


def record_inputs(tmp_path: Path, nodes: tuple[Any, ...], state: dict[str, Any]) -> list[dict[str, Any]]:
    """Each node's input state as its frame holds it, beside the same state encoded live."""
    builder, seen = chain(*nodes)
    recorder = VCRRecorder(tmp_path)
    recorder.start_session(session_id="chat")
    VCRLangGraph(recorder).wrap_graph(builder).compile().invoke(state)
    recorder.close()
    assert recorder.path is not None
    recorded = [frame.input_state for frame in VCRPlayer.load(recorder.path)]
    assert len(recorded) == len(nodes) == len(seen)
    return [{"frame": frame, "live": live} for frame, live in zip(recorded, seen, strict=True)]


def reply(text: str) -> Any:
    def node(state: Chat) -> dict[str, Any]:
        return {"turn": state["turn"] + 1, "messages": [AIMessage(content=text, id=f"a{state['turn']}")]}

    return node


def test_every_frame_holds_the_messages_as_they_were_when_the_node_started(tmp_path: Path) -> None:
    def edit_in_place(state: Chat) -> dict[str, Any]:
        first, last = state["messages"][0], state["messages"][-1]
        first.content = "rewritten in place"  # a field replaced
        last.tool_calls.append({"name": "lookup", "args": {"q": "x"}, "id": "c9", "type": "tool_call"})  # nested
        last.response_metadata["model_name"] = "scripted"  # a nested dict changed in place
        return {"turn": state["turn"] + 1}

    nodes = (reply("one"), reply("two"), edit_in_place, reply("three"), reply("four"))
    pairs = record_inputs(tmp_path, nodes, {"turn": 0, "messages": [HumanMessage(content="hi", id="h")]})
    for pair in pairs:
        assert pair["frame"] == pair["live"]
    after_edit = pairs[3]["frame"]["messages"]
    assert after_edit[0]["data"]["content"] == "rewritten in place"
    assert after_edit[-1]["data"]["tool_calls"][-1]["id"] == "c9"
    assert after_edit[-1]["data"]["response_metadata"] == {"model_name": "scripted"}


def test_a_message_that_gains_extra_fields_keeps_them_in_later_frames(tmp_path: Path) -> None:
    def tag(state: Chat) -> dict[str, Any]:
        state["messages"][0].reviewed_by = "tagger"  # an extra field: outside the model's __dict__
        return {"turn": state["turn"] + 1}

    pairs = record_inputs(
        tmp_path, (reply("one"), tag, reply("two")), {"turn": 0, "messages": [HumanMessage(content="hi", id="h")]}
    )
    for pair in pairs:
        assert pair["frame"] == pair["live"]
    assert pairs[2]["frame"]["messages"][0]["data"]["reviewed_by"] == "tagger"


def test_an_enum_inside_a_message_is_recorded_as_a_typed_enum(tmp_path: Path) -> None:
    def moody(state: Chat) -> dict[str, Any]:
        message = AIMessage(content="hm", id="m", additional_kwargs={"mood": Mood.CROSS})
        return {"turn": state["turn"] + 1, "messages": [message]}

    pairs = record_inputs(
        tmp_path,
        (reply("one"), moody, reply("two"), reply("three")),
        {"turn": 0, "messages": [HumanMessage(content="hi", id="h")]},
    )
    # (pydantic's own JSON dump, which the engine uses for models in general, would say "cross")
    assert pairs[2]["frame"]["messages"][:2] == pairs[2]["live"]["messages"][:2]
    for pair in pairs[2:]:
        mood = pair["frame"]["messages"][2]["data"]["additional_kwargs"]["mood"]
        assert mood == {"__type__": "Enum", "__class__": "Mood", "data": "cross"}


def test_the_cache_lets_messages_go_and_never_matches_a_new_object_at_an_old_address() -> None:
    messages = [HumanMessage(content=f"m{i}", id=f"m{i}") for i in range(50)]
    state = {"messages": messages}
    _, _, fresh = MESSAGE_WRAPPERS.wrap_state(state)
    MESSAGE_WRAPPERS.remember(fresh)
    _, unchecked, fresh = MESSAGE_WRAPPERS.wrap_state(state)
    assert fresh == [] and len(unchecked) == 1  # only the state's other values are left to search
    gone = [weakref.ref(message) for message in messages]
    addresses = {id(message) for message in messages}
    del state, fresh, unchecked, messages
    gc.collect()
    assert all(ref() is None for ref in gone)  # the cache did not keep them alive
    assert not addresses & MESSAGE_WRAPPERS._checked.keys() - _live_addresses()  # nor their entries
    for _ in range(200):  # new messages, many of them at addresses the old ones had
        newcomer = {"messages": [AIMessage(content="new", id="n")]}
        wrapped, _, fresh = MESSAGE_WRAPPERS.wrap_state(newcomer)
        assert len(fresh) == 1
        assert wrapped["messages"][0]["data"] is newcomer["messages"][0].__dict__


def _live_addresses() -> set[int]:
    """Addresses in the cache whose message still exists (a new object may have taken an old one)."""
    return {key for key, (ref, _) in list(MESSAGE_WRAPPERS._checked.items()) if ref() is not None}
