"""Golden runs answering a real LangGraph graph: its chat model through LangChain's cache, its nodes through ``golden=``.

The model is LangChain's own ``GenericFakeChatModel`` fed a script of replies with token counts;
a second run gets a model with an empty script, so any call it made would fail the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest

pytest.importorskip("langgraph")

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages

from recorder import VCRPlayer, VCRRecorder
from recorder.golden import CostLedger, GoldenRunCache
from recorder.golden.langchain_cache import GoldenLLMCache
from recorder.integrations.langgraph import VCRLangGraph


class Chat(TypedDict):
    topic: str
    messages: Annotated[list[AnyMessage], add_messages]


class CountingModel(GenericFakeChatModel):
    """The fake chat model, counting the calls that really reach it."""

    calls: int = 0

    def _generate(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return super()._generate(*args, **kwargs)


def replies(*texts: str) -> Iterator[AIMessage]:
    return iter(
        AIMessage(content=text, usage_metadata={"input_tokens": 40, "output_tokens": 10, "total_tokens": 50})
        for text in texts
    )


def build(model: CountingModel, write_prompt: str = "write a haiku") -> StateGraph:  # type: ignore[type-arg]
    def plan(state: Chat) -> dict[str, Any]:
        return {"messages": [model.invoke([SystemMessage(content="plan"), HumanMessage(content=state["topic"])])]}

    def write(state: Chat) -> dict[str, Any]:
        return {"messages": [model.invoke([SystemMessage(content=write_prompt), *state["messages"]])]}

    builder: StateGraph = StateGraph(Chat)  # type: ignore[type-arg]
    builder.add_node("plan", plan)
    builder.add_node("write", write)
    builder.add_edge(START, "plan")
    builder.add_edge("plan", "write")
    return builder


def run(
    tmp_path: Path, model: CountingModel, write_prompt: str = "write a haiku", **wrap: Any
) -> tuple[dict[str, Any], Path]:
    recorder = VCRRecorder(tmp_path / "runs")
    recorder.start_session(metadata={"task": "haiku"})
    graph = build(model, write_prompt)
    app = VCRLangGraph(recorder, frame_types={"plan": "llm", "write": "llm"}, **wrap).wrap_graph(graph).compile()
    with recorder:
        result = app.invoke({"topic": "autumn", "messages": []})
    recorder.close()
    assert recorder.path is not None
    return result, recorder.path


def test_chat_model_in_a_graph_is_answered_from_the_golden_run_with_zero_model_calls(tmp_path: Path) -> None:
    cache = GoldenRunCache(tmp_path / "golden")
    first_model = CountingModel(messages=replies("a plan", "a haiku"), cache=GoldenLLMCache(cache, "haiku"))
    _, first_path = run(tmp_path, first_model)
    assert first_model.calls == 2
    cache.save_golden_run("haiku", first_path)

    again = CountingModel(messages=iter(()), cache=GoldenLLMCache(cache, "haiku"))
    second, second_path = run(tmp_path, again)

    assert again.calls == 0
    assert [m.content for m in second["messages"]] == ["a plan", "a haiku"]
    player = VCRPlayer.load(second_path)
    model_frames = [f for f in player if f.node_name.startswith("llm:")]
    assert [f.source for f in model_frames] == ["golden_cache", "golden_cache"]
    node_frames = [f for f in player if f.node_name in ("plan", "write")]
    assert [f.metadata.tokens_used for f in node_frames] == [0, 0]  # the nodes ran; their model calls cost nothing
    ledger = CostLedger.of_recording(second_path)
    assert (ledger.replay_tokens, ledger.tokens_saved) == (0, 100)
    assert (
        CostLedger.of_recording(first_path).replay_tokens == 100
    )  # counted once: on the nodes, not again on the calls


def test_a_changed_prompt_calls_the_model_only_for_the_steps_it_changes(tmp_path: Path) -> None:
    cache = GoldenRunCache(tmp_path / "golden")
    model = CountingModel(messages=replies("a plan", "a haiku"), cache=GoldenLLMCache(cache))
    _, path = run(tmp_path, model)
    cache.save_golden_run("haiku", path)

    # The second step's prompt changes: the first is answered, only the second reaches the model.
    changed = CountingModel(messages=replies("another haiku"), cache=GoldenLLMCache(cache))
    result, changed_path = run(tmp_path, changed, write_prompt="write a haiku about rain")
    assert changed.calls == 1
    assert [m.content for m in result["messages"]] == ["a plan", "another haiku"]
    ledger = CostLedger.of_recording(changed_path)
    assert (ledger.replay_tokens, ledger.tokens_saved, ledger.steps_replayed) == (50, 50, 1)


def test_golden_on_the_wrapper_answers_whole_nodes(tmp_path: Path) -> None:
    cache = GoldenRunCache(tmp_path / "golden")
    model = CountingModel(messages=replies("a plan", "a haiku"))
    _, path = run(tmp_path, model)
    cache.save_golden_run("haiku", path)

    idle = CountingModel(messages=iter(()))
    second, second_path = run(tmp_path, idle, golden=cache, golden_task="haiku")
    assert idle.calls == 0
    assert [m.content for m in second["messages"]] == ["a plan", "a haiku"]
    frames = list(VCRPlayer.load(second_path))
    assert [(f.node_name, f.source) for f in frames] == [("plan", "golden_cache"), ("write", "golden_cache")]
    ledger = CostLedger.of_frames(frames)
    assert (ledger.replay_tokens, ledger.tokens_saved, ledger.savings_percent) == (0, 100, 100.0)
