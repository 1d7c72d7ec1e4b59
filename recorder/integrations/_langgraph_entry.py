"""Where a resumed LangGraph run starts: which nodes, with which state, in which (sub)graph.

A resume forks at one frame. The graph does not replay the nodes before it; it starts at the
node of that frame, in the graph that ran it, with the (edited) state. Every frame a recorded
node leaves names LangGraph's checkpoint namespace of its task (``sub:<task>|inner:<task>``) and
its superstep, which is enough to work out:

- the innermost node around the fork point: the frame itself when it is a node's frame, else the
  first node frame after it, when the step ran while that node ran (a step recorded with
  ``@vcr_record`` inside a node comes before the frame of the node that contains it; a step the
  agent took before invoking the graph is no node's, and the graph then starts as usual);
- the nodes of the same superstep (they ran together from the same state, so they start
  together);
- for a node inside a subgraph, the frame of the subgraph's own node in the parent graph (it is
  recorded after the nodes inside it), whose input is the parent's state to start from, and so
  on up to the top-level graph.

Each graph of that chain then starts at its entry the first time it runs during the resume; see
``RecordedGraph`` for how.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from recorder.models import Frame, FrameType
from recorder.reader import VCRReader
from recorder.resume_plan import ResumePlan

GraphPath = tuple[str, ...]
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True)
class GraphEntry:
    """Start this graph at ``nodes`` (the fork node and its superstep) with ``state`` (recorded JSON)."""

    nodes: tuple[str, ...]
    state: dict[str, Any]
    frame: int


@dataclass(slots=True)
class ResumeEntries:
    """The entries of one resume, by graph path; each graph enters once."""

    entries: dict[GraphPath, GraphEntry]
    entered: set[GraphPath] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, path: GraphPath) -> GraphEntry | None:
        """The entry for the graph at ``path``, the first time it is asked for; then None."""
        with self.lock:
            entry = self.entries.get(path)
            if entry is None or path in self.entered:
                return None
            self.entered.add(path)
            return entry


_by_plan: weakref.WeakKeyDictionary[ResumePlan, ResumeEntries | None] = weakref.WeakKeyDictionary()
_by_plan_lock = threading.Lock()


def entries_for(plan: ResumePlan) -> ResumeEntries | None:
    """The entries of the resume ``plan`` drives (None when the fork point is in no graph node).

    Worked out once per resume; doing so also moves the plan's matching to the fork point, since
    the nodes before it will never be called.
    """
    with _by_plan_lock:
        if plan in _by_plan:
            return _by_plan[plan]
        entries = _resume_entries(plan)
        _by_plan[plan] = entries
        return entries


def graph_path(namespace: str) -> GraphPath:
    """``sub:<task>|inner:<task>`` -> ``("sub", "inner")``."""
    if not namespace:
        return ()
    return tuple(part.partition(":")[0] for part in namespace.split("|"))


def langgraph_facts(frame: Frame) -> dict[str, Any] | None:
    """The LangGraph facts a recorded node frame carries (namespace, superstep), if it is one."""
    facts = frame.metadata.custom.get("langgraph")
    if isinstance(facts, dict) and isinstance(facts.get("ns"), str) and facts["ns"]:
        return facts
    return None


def _resume_entries(plan: ResumePlan) -> ResumeEntries | None:
    reader = plan.parent
    fork_at = plan.fork_at
    node_index = _enclosing_node(reader, fork_at)
    if node_index is None:
        return None
    frame = reader.frame(node_index)
    if node_index != fork_at and not _ran_inside(reader.frame(fork_at), frame):
        return None  # a step before the graph ran (the agent's own): the graph starts as usual
    facts = langgraph_facts(frame)
    assert facts is not None
    if facts.get("push"):
        raise ValueError(
            f"frame {node_index} ({frame.node_name}) ran from a Send with its own input; "
            "resume from the node that sent it"
        )
    at_fork = node_index == fork_at
    state = plan.edited_state if at_fork and not plan.edit_output else frame.input_state
    entries: dict[GraphPath, GraphEntry] = {}
    namespace = _parent_namespace(facts["ns"])
    entries[graph_path(namespace)] = GraphEntry(_superstep(reader, node_index, facts), state, node_index)
    index = node_index
    while namespace:
        outer_index = _node_frame_of(reader, namespace, index)
        if outer_index is None:
            node = graph_path(namespace)[-1]
            raise ValueError(
                f"the recording ends inside subgraph node {node!r}: the state it started from was never recorded"
            )
        outer = reader.frame(outer_index)
        outer_facts = langgraph_facts(outer)
        assert outer_facts is not None
        namespace = _parent_namespace(outer_facts["ns"])
        entries[graph_path(namespace)] = GraphEntry(
            _superstep(reader, outer_index, outer_facts), outer.input_state, outer_index
        )
        index = outer_index
    plan.start_at(fork_at if at_fork else _inner_steps_start(reader, fork_at))
    return ResumeEntries(entries)


def _enclosing_node(reader: VCRReader, fork_at: int) -> int | None:
    for index in range(fork_at, len(reader)):
        if langgraph_facts(reader.frame(index)) is not None:
            return index
    return None


def _ran_inside(step: Frame, node: Frame) -> bool:
    """Whether ``step`` was recorded while ``node`` ran (a node's frame is written when it ends).

    Node frames note when the node started (``started_us``, on the clock of frame timestamps);
    a step inside it was recorded after that, a step the agent took before the graph, before.
    """
    step_time = step.time
    facts = langgraph_facts(node)
    started = facts.get("started_us") if facts is not None else None
    if step_time is None or not isinstance(started, int):
        return True  # no clock to go by: the nearest node is the best guess
    return (step_time - _EPOCH) // timedelta(microseconds=1) >= started


def _inner_steps_start(reader: VCRReader, fork_at: int) -> int:
    """Where the steps recorded inside the node around the fork point begin."""
    index = fork_at
    while index > 0:
        previous = reader.frame(index - 1)
        if langgraph_facts(previous) is not None or _is_fork_point(previous):
            break
        index -= 1
    return index


def _node_frame_of(reader: VCRReader, namespace: str, after: int) -> int | None:
    """The frame of the node whose task namespace is ``namespace`` (recorded after its insides)."""
    for index in range(after + 1, len(reader)):
        facts = langgraph_facts(reader.frame(index))
        if facts is not None and facts["ns"] == namespace:
            return index
    return None


def _superstep(reader: VCRReader, index: int, facts: dict[str, Any]) -> tuple[str, ...]:
    """The node at ``index`` and the nodes that ran beside it in the same superstep."""
    own = _node_key(facts["ns"])
    parent = _parent_namespace(facts["ns"])
    step = facts.get("step")
    before = _same_step(reader, range(index - 1, -1, -1), parent, step)
    after = _same_step(reader, range(index + 1, len(reader)), parent, step)
    return tuple(dict.fromkeys([own, *before, *after]))


def _same_step(reader: VCRReader, indexes: range, parent: str, step: Any) -> list[str]:
    found: list[str] = []
    for index in indexes:
        frame = reader.frame(index)
        if _is_fork_point(frame):
            break
        facts = langgraph_facts(frame)
        if facts is None or _parent_namespace(facts["ns"]) != parent:
            continue  # a step inside a node, or a node of a subgraph
        if facts.get("step") != step:
            break
        if not facts.get("push"):
            found.append(_node_key(facts["ns"]))
    return found


def _is_fork_point(frame: Frame) -> bool:
    """The checkpoint a fork starts with: frames before it are copies from another run."""
    return frame.frame_type is FrameType.CHECKPOINT and frame.node_name.startswith("fork:")


def _parent_namespace(namespace: str) -> str:
    return namespace.rpartition("|")[0]


def _node_key(namespace: str) -> str:
    return namespace.rpartition("|")[2].partition(":")[0]
