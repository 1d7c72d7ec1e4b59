"""Recording real LangGraph graphs: every node execution becomes a frame, whichever way the graph runs.

The graphs here are built with the real ``langgraph`` package; nothing of LangGraph is mocked.
Their builders are shared with ``test_langgraph_resume.py``.
"""

from __future__ import annotations

import asyncio
import operator
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, TypedDict

import pytest

pytest.importorskip("langgraph")

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import Command, interrupt

from recorder import VCRPlayer, VCRRecorder, report_usage
from recorder.integrations.langgraph import VCRLangGraph
from recorder.models import Frame, FrameType

calls: Counter[str] = Counter()


@pytest.fixture(autouse=True)
def _fresh_counts() -> None:
    calls.clear()


class Pipeline(TypedDict, total=False):
    task: str
    limit: int
    code: str
    passed: bool
    log: Annotated[list[str], operator.add]


def write(state: Pipeline) -> dict[str, Any]:
    calls["write"] += 1
    return {"code": f"LIMIT = {state['limit']}", "log": ["write"]}


def check(state: Pipeline) -> dict[str, Any]:
    calls["check"] += 1
    if state["code"] != "LIMIT = 5":
        raise AssertionError(f"expected LIMIT = 5, got {state['code']}")
    return {"passed": True, "log": ["check"]}


def build_pipeline(limit: int = 3) -> StateGraph:
    """plan -> write -> check; check raises unless the limit is 5 (the planner says 3)."""

    def plan(state: Pipeline) -> dict[str, Any]:
        calls["plan"] += 1
        return {"limit": limit, "log": ["plan"]}

    builder = StateGraph(Pipeline)
    builder.add_node("plan", plan)
    builder.add_node("write", write)
    builder.add_node("check", check)
    builder.add_edge(START, "plan")
    builder.add_edge("plan", "write")
    builder.add_edge("write", "check")
    builder.add_edge("check", END)
    return builder


class Review(TypedDict, total=False):
    text: str
    score: int
    rounds: int
    log: Annotated[list[str], operator.add]


def draft(state: Review) -> dict[str, Any]:
    calls["draft"] += 1
    return {"text": state["text"].strip(), "rounds": 0, "log": ["draft"]}


def review(state: Review) -> dict[str, Any]:
    calls["review"] += 1
    return {"score": len(state["text"]) % 10, "rounds": state["rounds"] + 1, "log": ["review"]}


def revise(state: Review) -> dict[str, Any]:
    calls["revise"] += 1
    return {"text": state["text"] + "!", "log": ["revise"]}


def publish(state: Review) -> dict[str, Any]:
    calls["publish"] += 1
    return {"log": [f"publish:{state['text']}"]}


def route(state: Review) -> Literal["revise", "publish"]:
    return "publish" if state["score"] >= 7 or state["rounds"] >= 4 else "revise"


def build_review_loop() -> StateGraph:
    """draft -> review -> (score < 7: revise -> review ...) -> publish: conditional edges and a loop."""
    builder = StateGraph(Review)
    for name, node in (("draft", draft), ("review", review), ("revise", revise), ("publish", publish)):
        builder.add_node(name, node)
    builder.add_edge(START, "draft")
    builder.add_edge("draft", "review")
    builder.add_conditional_edges("review", route, ["revise", "publish"])
    builder.add_edge("revise", "review")
    builder.add_edge("publish", END)
    return builder


class Outer(TypedDict, total=False):
    n: int
    trail: Annotated[list[str], operator.add]


def counting(name: str) -> Any:
    def node(state: Outer) -> dict[str, Any]:
        calls[name] += 1
        return {"n": state["n"] + 1, "trail": [name]}

    node.__name__ = name
    return node


def build_with_subgraph() -> StateGraph:
    """start -> inner (a compiled subgraph: one -> two -> three) -> finish."""
    inner = StateGraph(Outer)
    for name in ("one", "two", "three"):
        inner.add_node(name, counting(name))
    inner.add_edge(START, "one")
    inner.add_edge("one", "two")
    inner.add_edge("two", "three")
    outer = StateGraph(Outer)
    outer.add_node("start", counting("start"))
    outer.add_node("inner", inner.compile())
    outer.add_node("finish", counting("finish"))
    outer.add_edge(START, "start")
    outer.add_edge("start", "inner")
    outer.add_edge("inner", "finish")
    outer.add_edge("finish", END)
    return outer


def linear(schema: Any, **nodes: Any) -> StateGraph:
    """A graph of ``schema`` running ``nodes`` one after the other, in the order given."""
    builder = StateGraph(schema)
    previous = START
    for name, node in nodes.items():
        builder.add_node(name, node)
        builder.add_edge(previous, name)
        previous = name
    return builder


def record(
    tmp_path: Path,
    builder: StateGraph,
    state: dict[str, Any],
    prepare: Callable[[VCRRecorder], None] | None = None,
    **compile_args: Any,
) -> tuple[Path, Any]:
    """Run the wrapped graph once (a failure is recorded, not raised) and return the recording.

    ``prepare`` sees the recorder before the graph runs, for a test that must observe its writes.
    """
    recorder = VCRRecorder(tmp_path / "runs")
    recorder.start_session(session_id="run")
    if prepare is not None:
        prepare(recorder)
    app = VCRLangGraph(recorder).wrap_graph(builder).compile(**compile_args)
    config = {"configurable": {"thread_id": "original"}}
    try:
        app.invoke(state, config)
    except Exception:
        pass
    recorder.close()
    assert recorder.path is not None
    calls.clear()
    return recorder.path, app


def frames(path: Path) -> list[Frame]:
    return list(VCRPlayer.load(path))


def names(path: Path) -> list[str]:
    return [frame.node_name for frame in frames(path)]


# -- recording ------------------------------------------------------------------------------


def test_a_linear_graph_records_each_node_with_its_input_and_update(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session(session_id="linear")
    app = VCRLangGraph(recorder).wrap_graph(build_pipeline(limit=5)).compile()
    result = app.invoke({"task": "raise the limit", "log": []})
    assert result["passed"] is True
    recorder.close()
    assert recorder.path is not None
    recorded = frames(recorder.path)
    assert [f.node_name for f in recorded] == ["plan", "write", "check"]
    assert {f.frame_type for f in recorded} == {FrameType.NODE_EXECUTION}
    assert recorded[0].input_state == {"task": "raise the limit", "log": []}
    assert recorded[0].output_state == {"limit": 5, "log": ["plan"]}  # the update, not the merged state
    assert recorded[1].input_state == {"task": "raise the limit", "limit": 5, "log": ["plan"]}
    assert recorded[2].output_state == {"passed": True, "log": ["check"]}
    assert [f.metadata.custom["langgraph"]["step"] for f in recorded] == [1, 2, 3]
    assert all(f.metadata.latency_ms >= 0 and f.source is None for f in recorded)


def test_the_state_a_node_received_is_recorded_even_if_the_node_mutates_it(tmp_path: Path) -> None:
    def sloppy(state: Pipeline) -> dict[str, Any]:
        state["log"].append("sneaky")  # mutates LangGraph's own channel value in place
        return {"code": "x"}

    builder = StateGraph(Pipeline)
    builder.add_node("sloppy", sloppy)
    builder.add_edge(START, "sloppy")
    path, _ = record(tmp_path, builder, {"log": ["before"]})
    assert frames(path)[0].input_state == {"log": ["before"]}


def test_conditional_edges_and_a_loop_record_every_execution(tmp_path: Path) -> None:
    path, _ = record(tmp_path, build_review_loop(), {"text": "  hi  ", "log": []})
    # "hi" scores 2, "hi!" 3, "hi!!" 4, then the fourth round publishes
    assert names(path) == ["draft", "review", "revise", "review", "revise", "review", "revise", "review", "publish"]
    reviews = [f for f in frames(path) if f.node_name == "review"]
    assert [f.input_state["text"] for f in reviews] == ["hi", "hi!", "hi!!", "hi!!!"]
    assert [f.output_state["rounds"] for f in reviews] == [1, 2, 3, 4]


def test_a_node_that_raises_leaves_an_error_frame(tmp_path: Path) -> None:
    path, _ = record(tmp_path, build_pipeline(), {"task": "t", "log": []})
    recorded = frames(path)
    assert [f.node_name for f in recorded] == ["plan", "write", "check"]
    failure = recorded[-1]
    assert failure.frame_type is FrameType.ERROR
    assert failure.metadata.error_type == "AssertionError"
    assert failure.output_state == {"error": "expected LIMIT = 5, got LIMIT = 3"}
    assert failure.input_state["code"] == "LIMIT = 3"
    player = VCRPlayer.load(path)
    assert player.session.frame_count == 3 and [f.index for f in player.get_errors()] == [2]


def test_subgraph_nodes_are_recorded_under_their_parent_node(tmp_path: Path) -> None:
    path, app = record(tmp_path, build_with_subgraph(), {"n": 0, "trail": []})
    assert names(path) == ["start", "inner/one", "inner/two", "inner/three", "inner", "finish"]
    recorded = frames(path)
    assert recorded[1].input_state == {"n": 1, "trail": ["start"]}
    assert recorded[4].input_state == {"n": 1, "trail": ["start"]}  # the subgraph node: its whole run
    assert recorded[4].output_state["n"] == 4
    assert [name for name, _ in app.get_subgraphs()] == ["inner"]  # LangGraph still sees the subgraph


def test_a_subgraph_run_from_inside_a_node_function_is_recorded_too(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session()
    vcr = VCRLangGraph(recorder)
    inner = StateGraph(Outer)
    inner.add_node("one", counting("one"))
    inner.add_edge(START, "one")
    inner_app = vcr.wrap_graph(inner.compile())

    def delegate(state: Outer) -> dict[str, Any]:
        return {"n": inner_app.invoke({"n": state["n"], "trail": []})["n"]}

    outer = StateGraph(Outer)
    outer.add_node("delegate", delegate)
    outer.add_edge(START, "delegate")
    assert vcr.wrap_graph(outer).compile().invoke({"n": 10, "trail": []})["n"] == 11
    recorder.close()
    assert recorder.path is not None
    assert names(recorder.path) == ["delegate/one", "delegate"]


def test_async_invoke_and_astream_are_recorded(tmp_path: Path) -> None:
    async def slow_double(state: Outer) -> dict[str, Any]:
        await asyncio.sleep(0)
        calls["double"] += 1
        return {"n": state["n"] * 2, "trail": ["double"]}

    builder = StateGraph(Outer)
    builder.add_node("double", slow_double)
    builder.add_node("inc", counting("inc"))
    builder.add_edge(START, "double")
    builder.add_edge("double", "inc")
    recorder = VCRRecorder(tmp_path)
    recorder.start_session()
    app = VCRLangGraph(recorder).wrap_graph(builder).compile()

    async def run() -> list[Any]:
        result = await app.ainvoke({"n": 3, "trail": []})
        assert result["n"] == 7
        return [chunk async for chunk in app.astream({"n": 1, "trail": []}, stream_mode="updates")]

    chunks = asyncio.run(run())
    assert chunks == [{"double": {"n": 2, "trail": ["double"]}}, {"inc": {"n": 3, "trail": ["inc"]}}]
    recorder.close()
    assert recorder.path is not None
    recorded = frames(recorder.path)
    assert [(f.node_name, f.input_state["n"]) for f in recorded] == [
        ("double", 3),
        ("inc", 6),
        ("double", 1),
        ("inc", 2),
    ]


def test_stream_is_recorded_in_every_stream_mode(tmp_path: Path) -> None:
    path, app = record(tmp_path, build_with_subgraph(), {"n": 0, "trail": []})
    recorder = VCRRecorder(tmp_path / "streams")
    recorder.start_session()
    app = VCRLangGraph(recorder).wrap_graph(build_with_subgraph()).compile()
    updates = list(app.stream({"n": 0, "trail": []}, stream_mode="updates", subgraphs=True))
    assert ((), {"finish": {"n": 5, "trail": ["finish"]}}) in updates
    assert any(namespace and namespace[0].startswith("inner:") for namespace, _ in updates)
    values = list(app.stream({"n": 0, "trail": []}, stream_mode="values"))
    assert values[-1]["n"] == 5
    recorder.close()
    assert recorder.path is not None
    assert names(recorder.path) == names(path) * 2


def test_wrapping_leaves_the_given_graph_unrecorded(tmp_path: Path) -> None:
    builder = build_review_loop()
    compiled = builder.compile()
    recorder = VCRRecorder(tmp_path)
    recorder.start_session()
    vcr = VCRLangGraph(recorder)
    from_builder = vcr.wrap_graph(builder).compile()
    from_compiled = vcr.wrap_graph(compiled)
    builder.compile().invoke({"text": "abcdefg", "log": []})
    compiled.invoke({"text": "abcdefg", "log": []})
    assert recorder.session is not None and recorder.session.frame_count == 0
    assert from_builder.invoke({"text": "abcdefg", "log": []}) == from_compiled.invoke({"text": "abcdefg", "log": []})
    assert recorder.session.frame_count == 6  # draft, review, publish twice


def test_without_a_recorder_nodes_record_into_the_active_one_or_nowhere(tmp_path: Path) -> None:
    app = VCRLangGraph().wrap_graph(build_review_loop()).compile()
    assert app.invoke({"text": "abcdefg", "log": []})["log"][-1] == "publish:abcdefg"  # just runs
    recorder = VCRRecorder(tmp_path)
    recorder.start_session()
    with recorder:
        app.invoke({"text": "abcdefg", "log": []})
    recorder.close()
    assert recorder.path is not None
    assert names(recorder.path) == ["draft", "review", "publish"]


def test_the_session_starts_on_the_first_frame_when_the_caller_did_not_start_one(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    app = VCRLangGraph(recorder, session_metadata={"agent": "review"}).wrap_graph(build_review_loop()).compile()
    app.invoke({"text": "abcdefg", "log": []})
    recorder.close()
    assert recorder.path is not None
    player = VCRPlayer.load(recorder.path)
    assert player.session.metadata == {"framework": "langgraph", "agent": "review"} and len(player) == 3


def test_commands_frame_types_and_token_usage_are_recorded(tmp_path: Path) -> None:
    class Chat(TypedDict):
        messages: Annotated[list[AnyMessage], add_messages]

    def model(state: Chat) -> Command[Literal["tools", "__end__"]]:
        reply = AIMessage(
            content="let me look",
            usage_metadata={"input_tokens": 12, "output_tokens": 5, "total_tokens": 17},
            response_metadata={"model_name": "scripted-1"},
        )
        return Command(update={"messages": [reply]}, goto="tools" if len(state["messages"]) < 2 else END)

    def tools(state: Chat) -> dict[str, Any]:
        report_usage(model="search", cost_usd=0.5)
        return {"messages": [HumanMessage(content="result")]}

    builder = StateGraph(Chat)
    builder.add_node("model", model)
    builder.add_node("tools", tools)
    builder.add_edge(START, "model")
    builder.add_edge("tools", "model")
    recorder = VCRRecorder(tmp_path)
    recorder.start_session()
    vcr = VCRLangGraph(recorder, frame_types={"model": "llm", "tools": FrameType.TOOL_CALL})
    vcr.wrap_graph(builder).compile().invoke({"messages": [HumanMessage(content="hi")]})
    recorder.close()
    assert recorder.path is not None
    recorded = frames(recorder.path)
    assert [(f.node_name, f.frame_type) for f in recorded] == [
        ("model", FrameType.LLM_CALL),
        ("tools", FrameType.TOOL_CALL),
        ("model", FrameType.LLM_CALL),
    ]
    first = recorded[0]
    assert first.metadata.custom["langgraph"]["goto"] == ["tools"]
    assert first.output_state["messages"][0]["data"]["content"] == "let me look"
    assert (first.metadata.model, first.metadata.tokens_used) == ("scripted-1", 17)
    assert (recorded[1].metadata.model, recorded[1].metadata.cost_usd) == ("search", 0.5)
    assert VCRPlayer.load(recorder.path).session.total_tokens == 34


def test_an_interrupt_is_recorded_as_a_checkpoint_and_the_resumed_node_as_a_frame(tmp_path: Path) -> None:
    def ask(state: Outer) -> dict[str, Any]:
        answer = interrupt({"question": "how many?"})
        return {"n": int(answer)}

    builder = StateGraph(Outer)
    builder.add_node("ask", ask)
    builder.add_edge(START, "ask")
    recorder = VCRRecorder(tmp_path)
    recorder.start_session()
    app = VCRLangGraph(recorder).wrap_graph(builder).compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "human"}}
    app.invoke({"n": 0, "trail": []}, config)
    assert app.invoke(Command(resume="7"), config)["n"] == 7
    recorder.close()
    assert recorder.path is not None
    paused, answered = frames(recorder.path)
    assert (paused.node_name, paused.frame_type) == ("interrupt:ask", FrameType.CHECKPOINT)
    assert paused.output_state["interrupts"][0]["value"] == {"question": "how many?"}
    assert (answered.node_name, answered.output_state) == ("ask", {"n": 7})


def test_wrapping_something_else_is_refused_with_a_clear_message() -> None:
    with pytest.raises(TypeError, match="StateGraph or a compiled StateGraph, not function"):
        VCRLangGraph().wrap_graph(build_pipeline)


def test_injected_config_runtime_and_stream_writer_still_reach_the_node(tmp_path: Path) -> None:
    from langchain_core.runnables import RunnableConfig
    from langgraph.config import get_stream_writer
    from langgraph.runtime import Runtime

    def greet(state: Outer, config: RunnableConfig, runtime: Runtime) -> dict[str, Any]:
        get_stream_writer()({"progress": "greeting"})
        return {"trail": [f"hello {config['configurable']['user']}"], "n": state["n"] + (runtime.context or 0)}

    builder = StateGraph(Outer, context_schema=int)
    builder.add_node("greet", greet)
    builder.add_edge(START, "greet")
    recorder = VCRRecorder(tmp_path)
    recorder.start_session()
    app = VCRLangGraph(recorder).wrap_graph(builder).compile().with_config({"configurable": {"user": "ann"}})
    chunks = list(app.stream({"n": 1, "trail": []}, stream_mode=["custom", "values"], context=41))
    assert ("custom", {"progress": "greeting"}) in chunks
    assert chunks[-1] == ("values", {"n": 42, "trail": ["hello ann"]})
    recorder.close()
    assert recorder.path is not None
    assert frames(recorder.path)[0].output_state == {"trail": ["hello ann"], "n": 42}


def test_each_retry_attempt_is_a_frame(tmp_path: Path) -> None:
    from langgraph.types import RetryPolicy

    def flaky(state: Outer) -> dict[str, Any]:
        calls["flaky"] += 1
        if calls["flaky"] == 1:
            raise ConnectionError("timed out")
        return {"n": state["n"] + 1}

    builder = StateGraph(Outer)
    builder.add_node("flaky", flaky, retry_policy=RetryPolicy(max_attempts=2, initial_interval=0.0, jitter=False))
    builder.add_edge(START, "flaky")
    path, _ = record(tmp_path, builder, {"n": 0, "trail": []})
    assert [(f.node_name, f.frame_type, f.metadata.error_type) for f in frames(path)] == [
        ("flaky", FrameType.ERROR, "ConnectionError"),
        ("flaky", FrameType.NODE_EXECUTION, None),
    ]


def test_messages_are_recorded_as_the_engine_encodes_any_model(tmp_path: Path) -> None:
    from recorder import to_jsonable

    class Chat(TypedDict):
        messages: Annotated[list[AnyMessage], add_messages]

    history = [
        HumanMessage(content="weather in Oslo?", id="h1"),
        AIMessage(
            content="",
            id="a1",
            tool_calls=[{"name": "weather", "args": {"city": "Oslo"}, "id": "c1"}],
            usage_metadata={"input_tokens": 3, "output_tokens": 4, "total_tokens": 7},
        ),
    ]

    def reply(state: Chat) -> dict[str, Any]:
        return {"messages": [AIMessage(content="sunny", id="a2")]}

    builder = StateGraph(Chat)
    builder.add_node("reply", reply)
    builder.add_edge(START, "reply")
    path, _ = record(tmp_path, builder, {"messages": history})
    frame = frames(path)[0]
    assert frame.input_state == {"messages": [to_jsonable(message) for message in history]}
    assert frame.output_state == {"messages": [to_jsonable(AIMessage(content="sunny", id="a2"))]}
