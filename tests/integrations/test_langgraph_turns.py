"""Resuming LangGraph runs whose nodes do not simply follow one another.

Map-reduce graphs whose workers are started by ``Send`` (each with its own input), and agents
that invoke their graph once per turn: a resume
must start the real graph at the fork point, answer what came before it from the recording, and
run nothing twice. Real ``langgraph``; call counters in the node functions tell what ran.
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest

pytest.importorskip("langgraph")

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, Send
from pydantic import BaseModel

from recorder import ResumeConfig, ResumeMode, VCRRecorder, resume
from recorder.integrations.langgraph import VCRLangGraph
from recorder.models import Frame
from tests.integrations.test_langgraph import calls, frames, linear, record
from tests.integrations.test_langgraph_resume import resumed


@pytest.fixture(autouse=True)
def _fresh_counts() -> None:
    calls.clear()


class Batch(TypedDict, total=False):
    items: list[int]
    results: Annotated[list[str], operator.add]
    total: int


class Job(TypedDict):
    item: int


def signal_when_written(node: str, count: int, written: threading.Event) -> Callable[[VCRRecorder], None]:
    """Set ``written`` once ``count`` frames of ``node`` are written, not merely returned.

    A node's frame is written after its function returns, so a test that orders side-by-side
    sends must wait on the write itself, however busy the machine.
    """

    def prepare(recorder: VCRRecorder) -> None:
        write_step = recorder.record_encoded_step
        seen: list[str] = []
        lock = threading.Lock()

        def counting_write(name: str, *args: Any, **kwargs: Any) -> Any:
            frame = write_step(name, *args, **kwargs)
            with lock:
                seen.append(name)
                if seen.count(node) == count:
                    written.set()
            return frame

        recorder.record_encoded_step = counting_write  # type: ignore[method-assign]

    return prepare


def plan(state: Batch) -> dict[str, Any]:
    calls["plan"] += 1
    return {"items": [1, 2, 3]}


def worker(job: Job) -> dict[str, Any]:
    calls["worker"] += 1
    return {"results": [f"w{job['item']}"]}


def join(state: Batch) -> dict[str, Any]:
    calls["join"] += 1
    return {"total": len(state["results"])}


def build_map_reduce(*, by_command: bool = False, work: Any = worker) -> StateGraph:  # type: ignore[type-arg]
    """plan -> one worker per item, each started by a Send with its own input -> join."""
    builder: StateGraph = StateGraph(Batch)  # type: ignore[type-arg]
    if by_command:

        def plan_and_send(state: Batch) -> Command:  # type: ignore[type-arg]
            calls["plan"] += 1
            return Command(update={"items": [1, 2, 3]}, goto=[Send("worker", {"item": i}) for i in (1, 2, 3)])

        builder.add_node("plan", plan_and_send)
    else:
        builder.add_node("plan", plan)
        builder.add_conditional_edges("plan", lambda state: [Send("worker", {"item": i}) for i in state["items"]])
    builder.add_node("worker", work)
    builder.add_node("join", join)
    builder.add_edge(START, "plan")
    builder.add_edge("worker", "join")
    builder.add_edge("join", END)
    return builder


def worker_frame(path: Path, item: int) -> Frame:
    return next(f for f in frames(path) if f.node_name == "worker" and f.input_state == {"item": item})


def test_a_sibling_recorded_before_the_fork_point_is_answered_whenever_it_calls(tmp_path: Path) -> None:
    """Sends run side by side: recorded as w1, w3, w2 but resumed one at a time as w1, w2, w3.

    w3 was recorded before the fork point (w2), so it is answered from the recording even though,
    in the resumed run, it calls after the fork point has run.
    """
    first_and_third_written = threading.Event()

    def worker_in_order(job: Job) -> dict[str, Any]:
        calls["worker"] += 1
        if job["item"] == 2 and not first_and_third_written.is_set():
            assert first_and_third_written.wait(60), "the other workers never ran"  # recorded after them
        return {"results": [f"w{job['item']}"]}

    path, app = record(
        tmp_path,
        build_map_reduce(work=worker_in_order),
        {"results": []},
        signal_when_written("worker", 2, first_and_third_written),
    )
    assert [(f.node_name, f.input_state.get("item")) for f in frames(path)][-2:] == [("worker", 2), ("join", None)]
    fork = worker_frame(path, 2)

    result = resume(
        path,
        lambda state: app.invoke(state, {"configurable": {"thread_id": "again"}, "max_concurrency": 1}),
        ResumeConfig(fork.index, state={"item": 20}),
    )
    assert result.succeeded, result.error
    assert result.output["results"] == ["w1", "w20", "w3"]
    assert calls == {"worker": 1, "join": 1}  # only the edited send ran; w1 and w3 came from the recording


@pytest.mark.parametrize("checkpointer", [False, True], ids=["no-checkpointer", "checkpointer"])
@pytest.mark.parametrize("by_command", [False, True], ids=["conditional-edge", "command"])
def test_fork_at_a_sent_worker_runs_it_with_the_edit_and_keeps_its_siblings(
    tmp_path: Path, checkpointer: bool, by_command: bool
) -> None:
    extra = {"checkpointer": InMemorySaver()} if checkpointer else {}
    path, app = record(tmp_path, build_map_reduce(by_command=by_command), {"results": []}, **extra)
    recorded = frames(path)
    assert [f.node_name for f in recorded].count("worker") == 3
    fork = worker_frame(path, 2)
    after = [f.input_state["item"] for f in recorded[fork.index + 1 :] if f.node_name == "worker"]

    result = resume(
        path,
        lambda state: app.invoke(state, {"configurable": {"thread_id": "original"}}),
        ResumeConfig(fork.index, state={"item": 20}),
    )
    assert result.succeeded, result.error
    # The sends are merged in their own order: the edit sits where the second send's result was.
    assert result.output["results"] == ["w1", "w20", "w3"]
    assert result.output["total"] == 3
    # plan and the workers recorded before the fork point are answered from the recording.
    assert calls == {"worker": 1 + len(after), "join": 1}
    served = resumed(result.fork_path)
    assert served[0] == ("worker", "live")
    assert sorted(served[1:]) == sorted([("worker", "live")] * len(after) + [("join", "live")])
    edited = next(f for f in frames(result.fork_path) if f.node_name == "worker" and f.source == "live")
    assert edited.input_state == {"item": 20} and edited.output_state == {"results": ["w20"]}


def test_replay_at_a_sent_worker_without_an_edit_calls_nothing(tmp_path: Path) -> None:
    path, app = record(tmp_path, build_map_reduce(), {"results": []})
    fork = worker_frame(path, 3)
    result = resume(path, app.invoke, ResumeConfig(fork.index, mode=ResumeMode.REPLAY))
    assert result.succeeded, result.error
    assert result.output["results"] == ["w1", "w2", "w3"]
    assert calls == {}
    assert {source for _, source in resumed(result.fork_path)} == {"replayed"}


def test_a_send_made_from_the_graphs_input_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    builder: StateGraph = StateGraph(Batch)  # type: ignore[type-arg]
    builder.add_node("worker", worker)
    builder.add_conditional_edges(START, lambda state: [Send("worker", {"item": i}) for i in state["items"]])
    path, app = record(tmp_path, builder, {"items": [1, 2], "results": []})
    result = resume(path, app.invoke, ResumeConfig(worker_frame(path, 2).index, state={"item": 5}))
    assert not result.succeeded
    assert "from the graph's input" in (result.error or "")
    assert calls == {}


# -- an agent that invokes its graph once per turn ----------------------------------------------


class Turn(TypedDict, total=False):
    question: str
    answer: str


def build_chat() -> StateGraph:  # type: ignore[type-arg]
    def think(state: Turn) -> dict[str, Any]:
        calls["think"] += 1
        return {"answer": f"thinking about {state['question']}"}

    def reply(state: Turn) -> dict[str, Any]:
        calls["reply"] += 1
        return {"answer": state["answer"].replace("thinking about", "answer to")}

    return linear(Turn, think=think, reply=reply)


def chat_agent(app: Any) -> Any:
    def agent(_: Any = None) -> list[str]:
        return [app.invoke({"question": question})["answer"] for question in ("one", "two", "three")]

    return agent


def test_each_turn_of_an_agent_is_numbered_in_its_frames(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session(session_id="chat")
    chat_agent(VCRLangGraph(recorder).wrap_graph(build_chat()).compile())()
    recorder.close()
    assert recorder.path is not None
    recorded = frames(recorder.path)
    assert [(f.node_name, f.metadata.custom["langgraph"]["run"]) for f in recorded] == [
        ("think", 1),
        ("reply", 1),
        ("think", 2),
        ("reply", 2),
        ("think", 3),
        ("reply", 3),
    ]


@pytest.mark.parametrize("mode", [ResumeMode.FORK, ResumeMode.REPLAY])
def test_a_resume_starts_the_graph_at_the_fork_point_in_the_turn_it_happened(tmp_path: Path, mode: ResumeMode) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session(session_id="chat")
    app = VCRLangGraph(recorder).wrap_graph(build_chat()).compile()
    chat_agent(app)()
    recorder.close()
    assert recorder.path is not None
    calls.clear()
    second_reply = [f for f in frames(recorder.path) if f.node_name == "reply"][1]

    result = resume(
        recorder.path,
        chat_agent(app),
        ResumeConfig(second_reply.index, state={"question": "two", "answer": "thinking about 2+2"}, mode=mode),
    )
    assert result.succeeded, result.error
    assert result.output == ["answer to one", "answer to 2+2", "answer to three"]
    # Turn one comes from the recording; turn two starts at reply; turn three runs again in FORK
    # and, its input unchanged, is replayed in REPLAY.
    if mode is ResumeMode.FORK:
        assert calls == {"reply": 2, "think": 1}
        assert resumed(result.fork_path) == [("reply", "live"), ("think", "live"), ("reply", "live")]
    else:
        assert calls == {"reply": 1}
        assert resumed(result.fork_path) == [("reply", "live"), ("think", "replayed"), ("reply", "replayed")]
    assert [f.metadata.custom["langgraph"]["run"] for f in frames(result.fork_path)[-3:]] == [2, 3, 3]


def test_sends_are_paired_with_their_frames_by_place_even_when_their_arguments_change(tmp_path: Path) -> None:
    nonces = iter(range(1000))

    def send_with_nonce(state: Batch) -> list[Send]:
        return [Send("worker", {"item": i, "nonce": next(nonces)}) for i in state["items"]]

    slow = {1}  # while recording, the first send finishes last: frames are not in send order
    others_recorded = threading.Event()  # the sends of one superstep run side by side, on threads

    def numbered_worker(job: dict[str, Any]) -> dict[str, Any]:
        calls["worker"] += 1
        if job["item"] in slow:
            # Until the other two frames are written (not merely returned), however busy the machine.
            assert others_recorded.wait(60)
        return {"results": [f"w{job['item']}"]}

    builder: StateGraph = StateGraph(Batch)  # type: ignore[type-arg]
    builder.add_node("plan", plan)
    builder.add_node("worker", numbered_worker)
    builder.add_conditional_edges("plan", send_with_nonce)
    builder.add_edge(START, "plan")
    path, app = record(tmp_path, builder, {"results": []}, signal_when_written("worker", 2, others_recorded))
    workers = [f for f in frames(path) if f.node_name == "worker"]
    assert [f.metadata.custom["langgraph"]["send"] for f in workers][-1] == 0
    assert sorted(f.metadata.custom["langgraph"]["send"] for f in workers) == [0, 1, 2]
    slow.clear()
    fork = next(f for f in workers if f.input_state["item"] == 3)
    before = {f.input_state["item"] for f in workers if f.index < fork.index}

    result = resume(path, app.invoke, ResumeConfig(fork.index, state={"item": 30, "nonce": -1}))
    assert result.succeeded, result.error
    assert result.output["results"] == ["w1", "w2", "w30"]
    assert calls["worker"] == 3 - len(before)  # the ones recorded before the fork point are answered


class Order(BaseModel):
    item: int


@pytest.mark.parametrize(
    ("send_arg", "recorded", "edited"),
    [
        (lambda i: Order(item=i), {"item": 2}, {"item": 20}),
        (lambda i: i, {"value": 2}, {"value": 20}),
    ],
    ids=["pydantic-model", "bare-value"],
)
def test_a_sends_argument_is_edited_in_the_shape_the_worker_takes(
    tmp_path: Path, send_arg: Any, recorded: dict[str, Any], edited: dict[str, Any]
) -> None:
    seen: list[Any] = []

    def shaped_worker(job: Any) -> dict[str, Any]:
        seen.append(job)
        item = job.item if isinstance(job, Order) else job
        return {"results": [f"w{item}"]}

    builder: StateGraph = StateGraph(Batch)  # type: ignore[type-arg]
    builder.add_node("plan", plan)
    builder.add_node("worker", shaped_worker)
    builder.add_conditional_edges("plan", lambda state: [Send("worker", send_arg(i)) for i in state["items"]])
    builder.add_edge(START, "plan")
    path, app = record(tmp_path, builder, {"results": []})
    fork = next(f for f in frames(path) if f.node_name == "worker" and f.input_state == recorded)
    seen.clear()

    result = resume(path, app.invoke, ResumeConfig(fork.index, state=edited))
    assert result.succeeded, result.error
    assert result.output["results"] == ["w1", "w20", "w3"]
    assert send_arg(20) in seen and type(seen[seen.index(send_arg(20))]) is type(send_arg(20))


def test_invocations_are_counted_per_recording_session(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    app = VCRLangGraph(recorder).wrap_graph(build_chat()).compile()
    runs: list[list[int]] = []
    for session in ("first", "second"):
        recorder.start_session(session_id=session)
        app.invoke({"question": "a"})
        app.invoke({"question": "b"})
        recorder.close()
        assert recorder.path is not None
        runs.append([f.metadata.custom["langgraph"]["run"] for f in frames(recorder.path)])
    assert runs == [[1, 1, 2, 2], [1, 1, 2, 2]]  # a new session counts from one again
