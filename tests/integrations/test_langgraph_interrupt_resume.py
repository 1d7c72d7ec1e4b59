"""Resuming real LangGraph graphs passed as they are, and graphs with a checkpointer and interrupts.

The interrupt graph asks two questions with ``interrupt()`` and is answered with
``Command(resume=...)`` over three invocations, as in LangGraph's own time-travel tests. Each
resume's final state is checked against what LangGraph itself gives from the same edited
checkpoint (``update_state`` then ``invoke``, answering the same questions the same way).
"""

from __future__ import annotations

import asyncio
import operator
from collections import Counter
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest

pytest.importorskip("langgraph")

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt

from recorder import ResumeConfig, VCRPlayer, VCRRecorder, aresume, resume
from recorder.integrations.langgraph import VCRLangGraph
from tests.integrations.test_langgraph import build_pipeline, calls, record

asked: Counter[str] = Counter()


@pytest.fixture(autouse=True)
def _fresh_counts() -> None:
    calls.clear()
    asked.clear()


# -- 4. a compiled graph, or anything with .invoke / .ainvoke ------------------------------------


def write_frame(path: Path) -> int:
    return next(f.index for f in VCRPlayer.load(path) if f.node_name == "write")


def test_a_compiled_graph_passed_to_resume_runs_like_its_invoke(tmp_path: Path) -> None:
    path, app = record(tmp_path, build_pipeline(), {"task": "t", "log": []})
    at = write_frame(path)
    calls.clear()
    result = resume(path, app, ResumeConfig(at, {"limit": 5}))
    assert result.succeeded and result.edit_applied, result.error
    assert result.output["code"] == "LIMIT = 5" and calls == {"write": 1, "check": 1}

    calls.clear()
    through_player = VCRPlayer.load(path).resume(app, ResumeConfig(at, {"limit": 5}))
    assert through_player.succeeded and through_player.output == result.output and calls == {"write": 1, "check": 1}


def test_aresume_runs_a_compiled_graph_through_ainvoke(tmp_path: Path) -> None:
    path, app = record(tmp_path, build_pipeline(), {"task": "t", "log": []})
    result = asyncio.run(aresume(path, app, ResumeConfig(write_frame(path), {"limit": 5})))
    assert result.succeeded and result.output["code"] == "LIMIT = 5"


def test_any_object_with_only_invoke_is_run_through_it(tmp_path: Path) -> None:
    path, app = record(tmp_path, build_pipeline(), {"task": "t", "log": []})

    class Runner:  # not callable: only .invoke, as a LangChain runnable has
        def invoke(self, value: Any) -> Any:
            return app.invoke(value)

    result = resume(path, Runner(), ResumeConfig(write_frame(path), {"limit": 5}))
    assert result.succeeded and result.output["code"] == "LIMIT = 5"


def test_an_object_that_cannot_be_run_is_refused_in_words(tmp_path: Path) -> None:
    path, _ = record(tmp_path, build_pipeline(), {"task": "t", "log": []})
    with pytest.raises(TypeError, match=r"pass a callable, or an object with \.invoke or \.ainvoke"):
        resume(path, object(), ResumeConfig(0))
    assert sorted(path.parent.glob("*.vcr")) == [path]  # refused before any fork was written


# -- 5. a checkpointer and two interrupts -------------------------------------------------------


class Joke(TypedDict):
    tone: str
    topic: str
    style: str
    joke: str
    answers: Annotated[list[str], operator.add]


def ask_topic(state: Joke) -> dict[str, Any]:
    asked["ask_topic"] += 1
    topic = interrupt("topic?")
    return {"topic": topic, "answers": [topic]}


def ask_style(state: Joke) -> dict[str, Any]:
    asked["ask_style"] += 1
    style = interrupt("style?")
    return {"style": style, "answers": [style]}


def write(state: Joke) -> dict[str, Any]:
    asked["write"] += 1
    tone = f"{state['tone']} " if state["tone"] else ""
    return {"joke": f"a {tone}{state['style']} about {state['topic']}"}


def joke_graph() -> StateGraph:  # type: ignore[type-arg]
    builder = StateGraph(Joke)
    builder.add_node("ask_topic", ask_topic)
    builder.add_node("ask_style", ask_style)
    builder.add_node("write", write)
    builder.add_edge(START, "ask_topic")
    builder.add_edge("ask_topic", "ask_style")
    builder.add_edge("ask_style", "write")
    return builder


START_STATE: dict[str, Any] = {"tone": "", "topic": "", "style": "", "joke": "", "answers": []}
THREAD = {"configurable": {"thread_id": "recorded"}}


def record_jokes(folder: Path) -> tuple[Path, Any]:
    """Three invocations on one thread: the input, then each question answered."""
    recorder = VCRRecorder(folder)
    recorder.start_session(session_id="jokes")
    app = VCRLangGraph(recorder).wrap_graph(joke_graph()).compile(checkpointer=InMemorySaver())
    assert "__interrupt__" in app.invoke(START_STATE, THREAD)
    assert "__interrupt__" in app.invoke(Command(resume="cats"), THREAD)
    final = app.invoke(Command(resume="haiku"), THREAD)
    assert final["joke"] == "a haiku about cats"
    recorder.close()
    asked.clear()
    assert recorder.path is not None
    return recorder.path, app


def completed(path: Path, node: str) -> int:
    return next(f.index for f in VCRPlayer.load(path) if f.node_name == node)


def langgraph_fork(recorded: Any, before: str, edit: dict[str, Any]) -> dict[str, Any]:
    """What LangGraph itself gives: edit the recorded thread's checkpoint before ``before``, go on.

    The same graph, compiled without recording, on the recorded run's checkpoints; the questions
    asked again on the way are answered as they were when recorded.
    """
    app = joke_graph().compile(checkpointer=recorded.checkpointer)
    snapshot = next(s for s in app.get_state_history(THREAD) if s.next == (before,))
    config = app.update_state(snapshot.config, edit)
    state = app.invoke(None, config)
    for answer in ("cats", "haiku")[len(snapshot.values["answers"]) :]:
        state = app.invoke(Command(resume=answer), THREAD)  # the thread's newest checkpoint: the edited branch
    return state  # type: ignore[no-any-return]


def test_resume_supplies_the_thread_and_its_final_state_is_langgraphs_own(tmp_path: Path) -> None:
    path, app = record_jokes(tmp_path)
    recorded_thread = app.get_state(THREAD).values
    result = resume(path, app.invoke, ResumeConfig(completed(path, "write"), {"topic": "dogs"}))
    assert result.succeeded and result.edit_applied, result.error
    assert asked == Counter({"write": 1})  # no node before the chosen frame ran live
    assert app.get_state(THREAD).values == recorded_thread  # the recorded thread is never touched
    expected = langgraph_fork(app, "write", {"topic": "dogs"})
    assert result.output == expected and expected["joke"] == "a haiku about dogs"


def test_interrupt_answers_replay_in_their_recorded_order(tmp_path: Path) -> None:
    path, app = record_jokes(tmp_path)
    result = resume(path, app.invoke, ResumeConfig(completed(path, "ask_topic"), {"tone": "dry"}))
    assert result.succeeded and result.edit_applied, result.error
    assert asked == Counter({"ask_topic": 1, "ask_style": 1, "write": 1})  # each asked once, answered at once
    assert result.output["answers"] == ["cats", "haiku"] and "__interrupt__" not in result.output
    assert result.output == langgraph_fork(app, "ask_topic", {"tone": "dry"})
    assert result.output["joke"] == "a dry haiku about cats"
    fork = [(f.node_name, f.source) for f in VCRPlayer.load(result.fork_path)]
    assert fork[-3:] == [("ask_topic", "live"), ("ask_style", "live"), ("write", "live")]


def test_a_single_invoke_that_cannot_reach_the_fork_point_says_the_edit_was_lost(tmp_path: Path) -> None:
    path, app = record_jokes(tmp_path)

    def one_turn(state: dict[str, Any]) -> Any:  # the agent's own function: one invoke of three
        return app.invoke(state, {"configurable": {"thread_id": "mine"}})

    result = resume(path, one_turn, ResumeConfig(completed(path, "write"), {"topic": "dogs"}))
    assert not result.succeeded and not result.edit_applied
    assert result.reason is not None and "ran on the graph's own state" in result.reason
    assert "dogs" not in str(result.output)


def test_aresume_with_ainvoke_replays_the_answers_too(tmp_path: Path) -> None:
    path, app = record_jokes(tmp_path)
    config = ResumeConfig(completed(path, "ask_style"), {"tone": "wry"})
    result = asyncio.run(aresume(path, app.ainvoke, config))
    assert result.succeeded and result.edit_applied, result.error
    assert asked == Counter({"ask_style": 1, "write": 1})
    assert result.output == langgraph_fork(app, "ask_style", {"tone": "wry"})
    assert result.output["joke"] == "a wry haiku about cats"
