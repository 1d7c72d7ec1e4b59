"""Recording overhead per LangGraph node execution, against the same graph unrecorded.

Both graphs are built from one ``StateGraph`` (a chain of nodes, each returning a small update
to a state of about ``--state-kb`` KB) and run alternately in the same process, so machine noise
hits both alike. The overhead per node is (recorded run - plain run) / nodes, taken per pair of
runs; the script prints its median and p95, the plain and recorded medians, their ratio, and
whether the median overhead stays within the budget (50 µs per node).

    python bench/bench_langgraph.py [--nodes 20] [--runs 300] [--state-kb 2] [--messages]

``--messages`` uses an ``add_messages`` channel of LangChain messages instead of plain data (the
usual agent state; encoding pydantic messages costs more than plain dicts).
"""

from __future__ import annotations

import argparse
import gc
import operator
import statistics
import tempfile
import time
from typing import Annotated, Any, TypedDict

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages
from sample_stats import percentile

from recorder import VCRRecorder
from recorder.integrations.langgraph import VCRLangGraph

BUDGET_US = 50.0


class PlainState(TypedDict):
    step: int
    notes: str
    items: Annotated[list[dict[str, Any]], operator.add]


class MessagesState(TypedDict):
    step: int
    messages: Annotated[list[AnyMessage], add_messages]


def build(nodes: int, messages: bool) -> StateGraph:  # type: ignore[type-arg]
    builder: StateGraph = StateGraph(MessagesState if messages else PlainState)  # type: ignore[type-arg]

    def make(index: int) -> Any:
        if messages:

            def node(state: dict[str, Any]) -> dict[str, Any]:
                return {
                    "step": state["step"] + 1,
                    "messages": [AIMessage(content=f"step {index} done", id=f"m{index}")],
                }

        else:

            def node(state: dict[str, Any]) -> dict[str, Any]:
                return {"step": state["step"] + 1, "items": [{"node": index, "ok": True}]}

        return node

    previous = START
    for index in range(nodes):
        name = f"n{index}"
        builder.add_node(name, make(index))
        builder.add_edge(previous, name)
        previous = name
    return builder


def initial_state(kb: int, messages: bool) -> dict[str, Any]:
    if messages:
        text = "x" * 200
        history = [HumanMessage(content=text, id=f"h{i}") for i in range(max(1, kb * 1024 // 300))]
        return {"step": 0, "messages": history}
    return {"step": 0, "notes": "n" * (kb * 1024), "items": []}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=20)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--state-kb", type=int, default=2)
    parser.add_argument("--messages", action="store_true")
    args = parser.parse_args()

    builder = build(args.nodes, args.messages)
    plain = builder.compile()
    with tempfile.TemporaryDirectory() as directory:
        recorder = VCRRecorder(directory)
        recorder.start_session(session_id="bench")
        recorded = VCRLangGraph(recorder).wrap_graph(builder).compile()
        state = initial_state(args.state_kb, args.messages)
        for _ in range(20):  # warm up both (imports, caches, branch predictors)
            plain.invoke(dict(state))
            recorded.invoke(dict(state))
        plain_times: list[float] = []
        recorded_times: list[float] = []
        overheads: list[float] = []
        cpu_overheads: list[float] = []
        gc.collect()
        for run in range(args.runs):
            wall: dict[str, float] = {}
            cpu: dict[str, float] = {}
            for name, graph in (("plain", plain), ("recorded", recorded))[:: 1 if run % 2 == 0 else -1]:
                started, started_cpu = time.perf_counter(), time.process_time()
                graph.invoke(dict(state))
                wall[name] = time.perf_counter() - started
                cpu[name] = time.process_time() - started_cpu
            plain_times.append(wall["plain"])
            recorded_times.append(wall["recorded"])
            overheads.append((wall["recorded"] - wall["plain"]) / args.nodes * 1e6)
            cpu_overheads.append((cpu["recorded"] - cpu["plain"]) / args.nodes * 1e6)
        frames = recorder.session.frame_count if recorder.session else 0
        size = recorder.path.stat().st_size if recorder.path else 0
        recorder.close()

    plain_median = statistics.median(plain_times)
    recorded_median = statistics.median(recorded_times)
    per_node_plain = plain_median / args.nodes * 1e6
    median_overhead = statistics.median(overheads)
    print(f"graph: {args.nodes} nodes, state ~{args.state_kb} KB ({'messages' if args.messages else 'plain data'})")
    print(f"runs: {args.runs} pairs, {frames} frames recorded, {size / frames:.0f} bytes per frame")
    print(f"plain run:    median {plain_median * 1e3:.3f} ms ({per_node_plain:.1f} µs per node)")
    print(f"recorded run: median {recorded_median * 1e3:.3f} ms")
    print(f"ratio recorded/plain: {recorded_median / plain_median:.2f}")
    print(
        f"overhead per node, wall clock: median {median_overhead:.1f} µs, p95 {percentile(overheads, 0.95):.1f} µs "
        f"(budget {BUDGET_US:.0f} µs): {'OK' if median_overhead <= BUDGET_US else 'OVER BUDGET'}"
    )
    cpu_median = statistics.median(cpu_overheads)
    print(
        f"overhead per node, CPU time:   median {cpu_median:.1f} µs, p95 {percentile(cpu_overheads, 0.95):.1f} µs "
        "(the process's own work, without time spent waiting for a core on a busy machine)"
    )


if __name__ == "__main__":
    main()
