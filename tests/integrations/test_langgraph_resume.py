"""Resuming real LangGraph runs from the middle, with an edited state, in FORK, REPLAY and MOCK.

Each test records a run of a real graph, resumes it through the engine's ``resume``/``aresume``
from a frame in the middle, and counts the calls in the node functions to check which nodes ran
again: the graph must start at the chosen node, never replay its prefix.
"""

from __future__ import annotations

import asyncio
import operator
from pathlib import Path
from typing import Annotated, Any, Literal, TypedDict

import pytest

pytest.importorskip("langgraph")

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import Command
from pydantic import BaseModel

from recorder import ResumeConfig, ResumeMode, VCRPlayer, VCRRecorder, aresume, resume, vcr_record
from recorder.integrations.langgraph import VCRLangGraph
from tests.integrations.test_langgraph import (
    Outer,
    build_pipeline,
    build_review_loop,
    build_with_subgraph,
    calls,
    counting,
    frames,
    names,
    record,
)


@pytest.fixture(autouse=True)
def _fresh_counts() -> None:
    calls.clear()


def index_of(path: Path, node: str, occurrence: int = 1) -> int:
    seen = 0
    for frame in frames(path):
        if frame.node_name == node:
            seen += 1
            if seen == occurrence:
                return frame.index
    raise AssertionError(f"{node} #{occurrence} not in {names(path)}")


def resumed(path: Path) -> list[tuple[str, str | None]]:
    """The fork's frames after its starting checkpoint: (node, how it was served)."""
    recorded = frames(path)
    start = next(f.index for f in recorded if f.node_name.startswith("fork:"))
    return [(f.node_name, f.source) for f in recorded[start + 1 :]]


# -- FORK ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("checkpointer", [False, True], ids=["no-checkpointer", "checkpointer"])
def test_fork_from_the_failing_node_with_a_fixed_state(tmp_path: Path, checkpointer: bool) -> None:
    extra = {"checkpointer": InMemorySaver()} if checkpointer else {}
    path, app = record(tmp_path, build_pipeline(), {"task": "t", "log": []}, **extra)
    original = path.read_bytes()
    at = index_of(path, "write")
    result = resume(
        path,
        lambda state: app.invoke(state, {"configurable": {"thread_id": "original"}}),
        ResumeConfig(at, {"limit": 5}),
    )
    assert result.succeeded, result.error
    assert result.output["passed"] is True and result.output["code"] == "LIMIT = 5"
    assert calls == {"write": 1, "check": 1}  # plan was not run again
    assert path.read_bytes() == original
    assert resumed(result.fork_path) == [("write", "live"), ("check", "live")]
    fork = VCRPlayer.load(result.fork_path)
    assert (fork.session.parent_session_id, fork.session.forked_from_frame) == ("run", at)
    assert fork.get_frame(0).node_name == "plan" and fork.get_frame(0).source == "replayed"
    # the edit reached the graph's state: the node after the fork point sees it
    assert fork.get_frame(-1).input_state["limit"] == 5


def test_fork_changes_the_route_a_conditional_edge_takes(tmp_path: Path) -> None:
    path, app = record(tmp_path, build_review_loop(), {"text": "hi", "log": []})
    assert calls == {}
    at = index_of(path, "review", 2)  # second review, of "hi!"
    result = resume(path, app.invoke, ResumeConfig(at, {"text": "long enough"}))  # scores 11 % 10 = 1
    assert result.succeeded
    assert calls == {"review": 3, "revise": 2, "publish": 1}  # the loop restarts from the edit, draft never reruns
    assert [node for node, _ in resumed(result.fork_path)] == [
        "review",
        "revise",
        "review",
        "revise",
        "review",
        "publish",
    ]
    seven = resume(path, app.invoke, ResumeConfig(at, {"text": "seven!!"}))  # scores 7: straight to publish
    assert [node for node, _ in resumed(seven.fork_path)] == ["review", "publish"]


def test_fork_inside_a_loop_starts_at_that_iteration(tmp_path: Path) -> None:
    path, app = record(tmp_path, build_review_loop(), {"text": "hi", "log": []})
    at = index_of(path, "revise", 3)  # the last revise: "hi!!" -> "hi!!!"
    result = resume(path, app.invoke, ResumeConfig(at))
    assert result.succeeded
    assert calls == {"revise": 1, "review": 1, "publish": 1}
    assert result.output["log"][-1] == "publish:hi!!!"
    # the recorded prefix is in the fork, and the log channel holds it exactly once
    assert result.output["log"].count("draft") == 1 and result.output["log"].count("review") == 4


@pytest.mark.parametrize("checkpointer", [False, True], ids=["no-checkpointer", "checkpointer"])
def test_fork_from_a_node_inside_a_subgraph(tmp_path: Path, checkpointer: bool) -> None:
    extra = {"checkpointer": InMemorySaver()} if checkpointer else {}
    path, app = record(tmp_path, build_with_subgraph(), {"n": 0, "trail": []}, **extra)
    at = index_of(path, "inner/two")
    config = {"configurable": {"thread_id": "original"}}
    result = resume(path, lambda state: app.invoke(state, config), ResumeConfig(at, {"n": 100}))
    assert result.succeeded, result.error
    assert calls == {"two": 1, "three": 1, "finish": 1}  # start and one were not run again
    assert resumed(result.fork_path) == [
        ("inner/two", "live"),
        ("inner/three", "live"),
        ("inner", "live"),
        ("finish", "live"),
    ]
    assert result.output["n"] == 103  # 100 + two + three + finish


def test_fork_from_a_subgraph_node_runs_the_whole_subgraph_again(tmp_path: Path) -> None:
    path, app = record(tmp_path, build_with_subgraph(), {"n": 0, "trail": []})
    result = resume(path, app.invoke, ResumeConfig(index_of(path, "inner"), {"n": 10}))
    assert calls == {"one": 1, "two": 1, "three": 1, "finish": 1}
    assert result.output["n"] == 14


@pytest.mark.parametrize("checkpointer", [False, True], ids=["no-checkpointer", "checkpointer"])
def test_async_resume_with_ainvoke(tmp_path: Path, checkpointer: bool) -> None:
    extra = {"checkpointer": InMemorySaver()} if checkpointer else {}
    path, app = record(tmp_path, build_review_loop(), {"text": "hi", "log": []}, **extra)
    at = index_of(path, "revise", 2)
    config = {"configurable": {"thread_id": "original"}}
    result = asyncio.run(aresume(path, lambda state: app.ainvoke(state, config), ResumeConfig(at, {"text": "abcdef"})))
    assert result.succeeded
    assert calls == {"revise": 1, "review": 1, "publish": 1}  # "abcdef!" scores 7
    assert result.output["log"][-1] == "publish:abcdef!"
    if checkpointer:
        fork_thread = {"configurable": {"thread_id": result.session_id}}
        assert app.get_state(fork_thread).values["log"][-1] == "publish:abcdef!"
        assert app.get_state(config).values["log"][-1] == "publish:hi!!!"


def test_resume_an_agent_that_streams(tmp_path: Path) -> None:
    path, app = record(tmp_path, build_pipeline(), {"task": "t", "log": []})

    def streaming_agent(state: dict[str, Any]) -> list[str]:
        return [node for chunk in app.stream(state, stream_mode="updates") for node in chunk]

    result = resume(path, streaming_agent, ResumeConfig(index_of(path, "write"), {"limit": 5}))
    assert result.output == ["write", "check"]
    assert calls == {"write": 1, "check": 1}


def test_resuming_from_an_error_frame_in_replay_runs_the_failed_node_again(tmp_path: Path) -> None:
    path, app = record(tmp_path, build_pipeline(), {"task": "t", "log": []})
    at = index_of(path, "check")
    unchanged = resume(path, app.invoke, ResumeConfig(at, mode=ResumeMode.REPLAY))
    assert calls == {"check": 1}  # a recorded failure is never replayed as if it were an output
    assert not unchanged.succeeded and unchanged.error_type == "AssertionError"
    assert resumed(unchanged.fork_path) == [("check", "live")]
    assert frames(unchanged.fork_path)[-1].is_error
    fixed = resume(path, app.invoke, ResumeConfig(at, {"code": "LIMIT = 5"}, mode=ResumeMode.REPLAY))
    assert fixed.succeeded and fixed.output["passed"] is True


# -- REPLAY -------------------------------------------------------------------------------------


@pytest.mark.parametrize("checkpointer", [False, True], ids=["no-checkpointer", "checkpointer"])
def test_replay_without_an_edit_calls_nothing(tmp_path: Path, checkpointer: bool) -> None:
    extra = {"checkpointer": InMemorySaver()} if checkpointer else {}
    path, app = record(tmp_path, build_review_loop(), {"text": "hi", "log": []}, **extra)
    expected = frames(path)
    result = resume(path, app.invoke, ResumeConfig(1, mode=ResumeMode.REPLAY))
    assert result.succeeded and calls == {} and result.agent_calls == 0
    assert result.counts.replayed == len(expected) - 1
    assert {source for _, source in resumed(result.fork_path)} == {"replayed"}
    assert result.output["log"][-1] == "publish:hi!!!"


def test_replay_goes_live_where_the_input_changes_and_replays_where_it_converges(tmp_path: Path) -> None:
    path, app = record(tmp_path, build_review_loop(), {"text": "  hi ", "log": []})
    # draft strips the text: an edit to surrounding spaces changes draft's input, not its output
    result = resume(path, app.invoke, ResumeConfig(0, {"text": "hi   "}, mode=ResumeMode.REPLAY))
    assert result.succeeded
    assert calls == {"draft": 1}
    assert resumed(result.fork_path)[:3] == [("draft", "live"), ("review", "replayed"), ("revise", "replayed")]


def test_replay_in_a_subgraph_answers_unchanged_nodes_from_the_recording(tmp_path: Path) -> None:
    path, app = record(tmp_path, build_with_subgraph(), {"n": 0, "trail": []})
    result = resume(path, app.invoke, ResumeConfig(index_of(path, "inner/one"), mode=ResumeMode.REPLAY))
    assert result.succeeded and calls == {}
    assert ("inner/three", "replayed") in resumed(result.fork_path)
    assert ("finish", "replayed") in resumed(result.fork_path)


# -- MOCK and edited outputs --------------------------------------------------------------------


def test_mock_mode_replaces_a_node_with_a_given_update(tmp_path: Path) -> None:
    path, app = record(tmp_path, build_pipeline(), {"task": "t", "log": []})
    config = ResumeConfig(
        index_of(path, "write"),
        {"limit": 4},
        mode=ResumeMode.MOCK,
        inject_mocks={"check": {"passed": True, "log": ["mocked check"]}},
    )
    result = resume(path, app.invoke, config)
    assert result.succeeded and result.counts.mocked == 1
    assert calls == {"write": 1}  # check was mocked, not called
    assert result.output["log"] == ["plan", "write", "mocked check"]
    assert resumed(result.fork_path) == [("write", "live"), ("check", "mocked")]


def test_editing_a_nodes_output_keeps_the_node_and_continues_after_it(tmp_path: Path) -> None:
    path, app = record(tmp_path, build_pipeline(), {"task": "t", "log": []})
    at = index_of(path, "write")
    update = {"code": "LIMIT = 5", "log": ["write (edited)"]}
    result = resume(path, app.invoke, ResumeConfig(at, state=update, edit_output=True))
    assert result.succeeded
    assert calls == {"check": 1}
    assert result.output["log"] == ["plan", "write (edited)", "check"]
    assert resumed(result.fork_path) == [("write", "edited"), ("check", "live")]


# -- checkpointing and reducers -----------------------------------------------------------------


class Chat(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]
    notes: Annotated[list[str], operator.add]


def build_chat() -> StateGraph:
    def answer(state: Chat) -> dict[str, Any]:
        calls["answer"] += 1
        question = state["messages"][-1].content
        return {"messages": [AIMessage(content=f"answer to {question}")], "notes": ["answered"]}

    def summarize(state: Chat) -> dict[str, Any]:
        calls["summarize"] += 1
        assert all(not isinstance(m, dict) for m in state["messages"])  # real messages, not JSON
        return {"notes": [f"{len(state['messages'])} messages"]}

    builder = StateGraph(Chat)
    builder.add_node("answer", answer)
    builder.add_node("summarize", summarize)
    builder.add_edge(START, "answer")
    builder.add_edge("answer", "summarize")
    return builder


@pytest.mark.parametrize("checkpointer", [False, True], ids=["no-checkpointer", "checkpointer"])
def test_an_edited_state_is_the_state_not_an_update_added_to_it(tmp_path: Path, checkpointer: bool) -> None:
    saver = InMemorySaver() if checkpointer else None
    path, app = record(
        tmp_path,
        build_chat(),
        {"messages": [HumanMessage(content="2+2?", id="q1")], "notes": ["start"]},
        checkpointer=saver,
    )
    at = index_of(path, "summarize")
    edited = VCRPlayer.load(path).get_frame(at).input_state
    edited["messages"][0]["data"]["content"] = "3+3?"
    edited["notes"] = ["start", "edited"]
    result = resume(
        path, lambda s: app.invoke(s, {"configurable": {"thread_id": "original"}}), ResumeConfig(at, state=edited)
    )
    assert result.succeeded, result.error
    messages = result.output["messages"]
    assert [type(m).__name__ for m in messages] == ["HumanMessage", "AIMessage"]
    assert messages[0].content == "3+3?" and messages[0].id == "q1"
    assert result.output["notes"] == ["start", "edited", "2 messages"]  # not doubled by operator.add
    assert calls == {"summarize": 1}
    if saver is not None:
        # the fork ran on a thread of its own; the recorded thread is as it was
        original = app.get_state({"configurable": {"thread_id": "original"}}).values
        assert original["notes"] == ["start", "answered", "2 messages"]
        fork_thread = {"configurable": {"thread_id": result.session_id}}
        assert app.get_state(fork_thread).values["notes"] == ["start", "edited", "2 messages"]
        assert len(list(app.get_state_history(fork_thread))) >= 3


def build_side_by_side() -> StateGraph:
    """split -> (left, right side by side in one superstep) -> join."""

    def branch(name: str) -> Any:
        def node(state: Outer) -> dict[str, Any]:
            calls[name] += 1
            return {"trail": [f"{name}:{state['n']}"]}  # parallel nodes may not both write n

        return node

    builder = StateGraph(Outer)
    builder.add_node("split", counting("split"))
    builder.add_node("left", branch("left"))
    builder.add_node("right", branch("right"))
    builder.add_node("join", counting("join"))
    builder.add_edge(START, "split")
    builder.add_edge("split", "left")
    builder.add_edge("split", "right")
    builder.add_edge(["left", "right"], "join")
    return builder


def test_nodes_of_one_superstep_start_together(tmp_path: Path) -> None:
    path, app = record(tmp_path, build_side_by_side(), {"n": 0, "trail": []})
    first, second = [f for f in frames(path) if f.node_name in ("left", "right")]
    result = resume(path, app.invoke, ResumeConfig(first.index, {"n": 10}))
    assert result.succeeded
    assert calls == {"left": 1, "right": 1, "join": 1}
    assert sorted(result.output["trail"][-3:-1]) == ["left:10", "right:10"]
    assert result.output["n"] == 11

    calls.clear()  # from the later of the two, the earlier one's recorded result stands
    result = resume(path, app.invoke, ResumeConfig(second.index, {"n": 10}))
    assert result.succeeded, result.error
    assert calls == {second.node_name: 1, "join": 1}  # the earlier branch is not run (or recorded) twice
    assert f"{first.node_name}:1" in result.output["trail"] and f"{second.node_name}:10" in result.output["trail"]
    assert [node for node, _ in resumed(result.fork_path)] == [second.node_name, "join"]


class Item(BaseModel):
    name: str
    qty: int


class Cart(BaseModel):
    items: list[Item] = []
    total: int = 0


def test_a_pydantic_state_comes_back_as_models(tmp_path: Path) -> None:
    def add(state: Cart) -> dict[str, Any]:
        calls["add"] += 1
        return {"items": [*state.items, Item(name="pen", qty=2)]}

    def total(state: Cart) -> dict[str, Any]:
        calls["total"] += 1
        assert all(isinstance(item, Item) for item in state.items)
        return {"total": sum(item.qty for item in state.items)}

    builder = StateGraph(Cart)
    builder.add_node("add", add)
    builder.add_node("total", total)
    builder.add_edge(START, "add")
    builder.add_edge("add", "total")
    path, app = record(tmp_path, builder, {"items": [{"name": "ink", "qty": 1}]})
    recorded = frames(path)[1].input_state
    assert recorded["items"][1] == {
        "__type__": "Item",
        "__module__": Item.__module__,
        "data": {"name": "pen", "qty": 2},
    }
    recorded["items"][1]["data"]["qty"] = 40
    result = resume(path, app.invoke, ResumeConfig(1, state=recorded))
    assert result.succeeded, result.error
    assert result.output["total"] == 41 and calls == {"total": 1}


def test_a_checkpointed_graph_with_a_narrower_input_still_forks_on_its_own_thread(tmp_path: Path) -> None:
    class Question(TypedDict):
        text: str

    class Work(TypedDict, total=False):
        text: str
        words: int
        verdict: str

    def count(state: Work) -> dict[str, Any]:
        calls["count"] += 1
        return {"words": len(state["text"].split())}

    def judge(state: Work) -> dict[str, Any]:
        calls["judge"] += 1
        return {"verdict": "long" if state["words"] > 3 else "short"}

    builder = StateGraph(Work, input_schema=Question)
    builder.add_node("count", count)
    builder.add_node("judge", judge)
    builder.add_edge(START, "count")
    builder.add_edge("count", "judge")
    saver = InMemorySaver()
    path, app = record(tmp_path, builder, {"text": "a b"}, checkpointer=saver)
    config = {"configurable": {"thread_id": "original"}}
    result = resume(path, lambda s: app.invoke(s, config), ResumeConfig(1, {"words": 9}))
    assert result.succeeded and result.output["verdict"] == "long" and calls == {"judge": 1}
    assert app.get_state(config).values["verdict"] == "short"  # the recorded thread is untouched
    assert app.get_state({"configurable": {"thread_id": result.session_id}}).values["words"] == 9


def build_with_inner_steps() -> tuple[StateGraph, Any]:
    """A node that makes two recorded calls of its own (``@vcr_record``), after an agent step."""

    @vcr_record(node_name="llm:outline", frame_type="llm")
    def outline(topic: str) -> str:
        calls["outline"] += 1
        return f"outline of {topic}"

    @vcr_record(node_name="llm:write", frame_type="llm")
    def write_up(outline: str) -> str:
        calls["write_up"] += 1
        return f"essay from {outline}"

    def author(state: Outer) -> dict[str, Any]:
        calls["author"] += 1
        return {"trail": [write_up(outline(state["trail"][-1]))]}

    @vcr_record(node_name="prepare")
    def prepare(task: dict[str, Any]) -> dict[str, Any]:
        calls["prepare"] += 1
        return {"n": 0, "trail": [task["topic"].lower()]}

    builder = StateGraph(Outer)
    builder.add_node("author", author)
    builder.add_node("finish", counting("finish"))
    builder.add_edge(START, "author")
    builder.add_edge("author", "finish")
    return builder, prepare


def test_fork_at_a_step_inside_a_node_reruns_the_node_from_that_step(tmp_path: Path) -> None:
    builder, prepare = build_with_inner_steps()
    recorder = VCRRecorder(tmp_path)
    recorder.start_session()
    app = VCRLangGraph().wrap_graph(builder).compile()

    def agent(task: dict[str, Any]) -> dict[str, Any]:
        return app.invoke(prepare(task))  # type: ignore[no-any-return]

    with recorder:
        agent({"topic": "Owls"})
    recorder.close()
    assert recorder.path is not None
    path = recorder.path
    assert names(path) == ["prepare", "llm:outline", "llm:write", "author", "finish"]
    calls.clear()
    at = index_of(path, "llm:write")
    result = resume(path, agent, ResumeConfig(at, {"outline": "a better outline"}))
    assert result.succeeded, result.error
    assert calls == {"author": 1, "write_up": 1, "finish": 1}  # prepare and outline were not called
    assert result.output["trail"] == ["owls", "essay from a better outline", "finish"]

    calls.clear()
    before_graph = resume(path, agent, ResumeConfig(index_of(path, "prepare"), {"topic": "Bats"}))
    assert before_graph.succeeded
    assert calls == {"prepare": 1, "author": 1, "outline": 1, "write_up": 1, "finish": 1}  # the graph ran as usual
    assert before_graph.output["trail"][0] == "bats"


def test_a_mock_for_a_node_that_routes_with_command_can_route_elsewhere(tmp_path: Path) -> None:
    def router(state: Outer) -> Command[Literal["left", "right"]]:
        calls["router"] += 1
        return Command(update={"trail": ["router"]}, goto="left")

    builder = StateGraph(Outer)
    for name in ("start", "left", "right"):
        builder.add_node(name, counting(name))
    builder.add_node("router", router)
    builder.add_edge(START, "start")
    builder.add_edge("start", "router")
    path, app = record(tmp_path, builder, {"n": 0, "trail": []})
    assert names(path) == ["start", "router", "left"]
    mock = Command(update={"trail": ["mocked"]}, goto="right")
    result = resume(path, app.invoke, ResumeConfig(0, mode=ResumeMode.MOCK, inject_mocks={"router": mock}))
    assert result.succeeded and result.output["trail"] == ["start", "mocked", "right"]
    assert calls == {"start": 1, "right": 1}
    mocked = frames(result.fork_path)[-2]
    assert (mocked.node_name, mocked.source, mocked.output_state) == ("router", "mocked", {"trail": ["mocked"]})
    assert mocked.metadata.custom["langgraph"]["goto"] == ["right"]
