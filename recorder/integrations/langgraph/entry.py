"""Where a resumed LangGraph run starts: which nodes, with which state, in which (sub)graph.

A resume forks at one frame. The graph does not replay the nodes before it; it starts at the
node of that frame, in the graph that ran it, with the (edited) state. Every frame a recorded
node leaves names LangGraph's checkpoint namespace of its task (``sub:<task>|inner:<task>``),
its superstep, and which top-level invocation of the agent it ran in, which is enough to work
out:

- the innermost node around the fork point: the frame itself when it is a node's frame, else the
  first node frame after it, when the step ran while that node ran (a step recorded with
  ``@vcr_record`` inside a node comes before the frame of the node that contains it; a step the
  agent took before invoking the graph is no node's, and the graph then starts as usual);
- the nodes of the same superstep (they ran together from the same state, so they start
  together; those recorded before the fork point are answered from the recording);
- for a node started by a ``Send`` (which gets its own input, not the graph's state), the
  superstep that sent it: the graph starts there, those nodes are answered from the recording,
  LangGraph's own routing sends again, and the send at the fork point runs with the edit;
- for a node inside a subgraph, the frame of the subgraph's own node in the parent graph (it is
  recorded after the nodes inside it), whose input is the parent's state to start from, and so
  on up to the top-level graph;
- the invocation: an agent that invokes the graph once per turn has the earlier turns answered
  from the recording, and the graph starts at the fork point in the turn it happened in.

Each graph of that chain then starts at its entry the first time it runs in that invocation;
see ``RecordedGraph`` for how.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from recorder.graph_facts import GraphPath, graph_facts, graph_path, node_key, parent_namespace
from recorder.models import Frame, FrameType
from recorder.reader import VCRReader
from recorder.resume_plan import ResumePlan

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True)
class GraphEntry:
    """Start this graph at ``nodes`` with ``state`` (recorded JSON), in top-level invocation ``run``.

    ``steps`` holds the frames of the supersteps the start runs again, first superstep first:
    each call in them is paired with the frame it repeats (see ``ResumeEntries.repeats``).
    """

    nodes: tuple[str, ...]
    state: dict[str, Any]
    run: int = 1
    steps: tuple[tuple[Frame, ...], ...] = ()


@dataclass(slots=True)
class _Claims:
    """The recorded frames of an entered graph's first supersteps, not yet paired with a call."""

    steps: list[list[Frame]]
    first_step: int | None = None  # the live superstep number of the first call after entering


@dataclass(slots=True)
class ResumeEntries:
    """The entries of one resume, by graph path; each graph enters once."""

    plan: ResumePlan
    entries: dict[GraphPath, GraphEntry]
    start: int  # where the plan's matching starts once the top-level graph enters
    fork_namespace: str  # of the node frame at (or around) the fork point
    entered: set[GraphPath] = field(default_factory=set)
    claims: dict[GraphPath, _Claims] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, path: GraphPath, run: int | None) -> GraphEntry | None:
        """The entry for the graph at ``path``, the first time it starts where it should; else None.

        The top-level graph enters in the invocation the fork point ran in (``run``; earlier
        invocations run as usual, answered from the recording), or in the first one when the
        agent is the graph itself and is invoked only once; a subgraph only after that.
        """
        with self.lock:
            entry = self.entries.get(path)
            if entry is None or path in self.entered:
                return None
            if path:
                if () not in self.entered:
                    return None
            elif run is not None and run != entry.run and not self.plan.one_invocation:
                return None
            self.entered.add(path)
            self.claims[path] = _Claims([list(frames) for frames in entry.steps])
            if not path:
                self.plan.start_at(self.start)
            return entry

    def repeats(self, facts: dict[str, Any], input_state: dict[str, Any]) -> Frame | None:
        """The recorded frame a call in an entered graph's first supersteps runs again, if any.

        ``facts`` are the call's own LangGraph facts (namespace, live superstep, send index).
        A node started by a ``Send`` is paired by its index among the sends (the routing that
        sent it ran again on the same recorded update), else by equal input. The subgraph node
        that the fork point ran inside is not paired: it must run again for its insides to.
        """
        namespace = facts["ns"]
        with self.lock:
            claims = self.claims.get(graph_path(parent_namespace(namespace)))
            step = facts.get("step")
            if claims is None or not isinstance(step, int):
                return None
            if claims.first_step is None:
                claims.first_step = step
            offset = step - claims.first_step
            if not 0 <= offset < len(claims.steps):
                return None
            frames = claims.steps[offset]
            found = _pick(frames, node_key(namespace), facts, input_state)
            if found is None:
                return None
            frames.remove(found)
            found_facts = graph_facts(found)
            if found_facts is not None and self.fork_namespace.startswith(found_facts["ns"] + "|"):
                return None  # a subgraph's node the fork point ran inside: matched by name, it runs again
            return found


def _pick(frames: list[Frame], node: str, call: dict[str, Any], input_state: dict[str, Any]) -> Frame | None:
    """The frame among ``frames`` that a call of ``node`` (with LangGraph facts ``call``) repeats."""
    pushed = bool(call.get("push"))
    candidates = []
    for frame in frames:
        if frame.frame_type is FrameType.CHECKPOINT:
            continue  # an interrupt: the node's run that stopped to ask, not one that returned
        facts = graph_facts(frame)
        if facts is not None and node_key(facts["ns"]) == node and bool(facts.get("push")) == pushed:
            candidates.append((frame, facts))
    if not candidates:
        return None
    if pushed:
        send = call.get("send")
        for frame, facts in candidates:
            if type(send) is int and facts.get("send") == send:
                return frame
        for frame, _ in candidates:  # recorded before sends were numbered
            if frame.input_state == input_state:
                return frame
    return candidates[0][0]


_by_plan: weakref.WeakKeyDictionary[ResumePlan, ResumeEntries | None] = weakref.WeakKeyDictionary()
_by_plan_lock = threading.Lock()


def entries_for(plan: ResumePlan) -> ResumeEntries | None:
    """The entries of the resume ``plan`` drives (None when the fork point is in no graph node).

    Worked out once per resume. The plan's matching moves to the fork point when the top-level
    graph enters (``ResumeEntries.take``), since the nodes before it will never be called then.
    """
    with _by_plan_lock:
        if plan in _by_plan:
            return _by_plan[plan]
        entries = _resume_entries(plan)
        _by_plan[plan] = entries
        return entries


def _resume_entries(plan: ResumePlan) -> ResumeEntries | None:
    reader = plan.parent
    fork_at = plan.fork_at
    node_index = _enclosing_node(reader, fork_at)
    if node_index is None:
        return None
    frame = reader.frame(node_index)
    if node_index != fork_at and not _ran_inside(reader.frame(fork_at), frame):
        return None  # a step before the graph ran (the agent's own): the graph starts as usual
    facts = graph_facts(frame)
    assert facts is not None
    at_fork = node_index == fork_at
    entries: dict[GraphPath, GraphEntry] = {}
    namespace = parent_namespace(facts["ns"])
    if facts.get("push"):
        entries[graph_path(namespace)] = _sending_entry(reader, node_index, facts)
    else:
        state = plan.edited_state if at_fork and not plan.edit_output else frame.input_state
        step = _frames(reader, _superstep(reader, node_index, facts))
        entries[graph_path(namespace)] = GraphEntry(_pull_nodes(step), state, _run_of(facts), (step,))
    index = node_index
    while namespace:
        outer_index = _node_frame_of(reader, namespace, index)
        if outer_index is None:
            node = graph_path(namespace)[-1]
            raise ValueError(
                f"the recording ends inside subgraph node {node!r}: the state it started from was never recorded"
            )
        outer = reader.frame(outer_index)
        outer_facts = graph_facts(outer)
        assert outer_facts is not None
        if outer_facts.get("push"):
            raise ValueError(
                f"frame {fork_at} ran inside subgraph node {outer.node_name!r}, which a Send started; "
                f"resume from frame {outer_index} (that node) instead"
            )
        namespace = parent_namespace(outer_facts["ns"])
        step = _frames(reader, _superstep(reader, outer_index, outer_facts))
        entries[graph_path(namespace)] = GraphEntry(_pull_nodes(step), outer.input_state, _run_of(outer_facts), (step,))
        index = outer_index
    return ResumeEntries(plan, entries, fork_at if at_fork else _inner_steps_start(reader, fork_at), facts["ns"])


def _sending_entry(reader: VCRReader, index: int, facts: dict[str, Any]) -> GraphEntry:
    """Where to start for a node a ``Send`` started: the superstep that sent it, answered from the recording.

    The node's input is the send's own argument, not the graph's state, and the sends of one
    superstep are merged into the state together; so the graph starts one superstep earlier,
    from the state the senders received, and LangGraph's routing sends again.
    """
    node = reader.frame(index)
    step = facts.get("step")
    parent = parent_namespace(facts["ns"])
    sent = _superstep(reader, index, facts)
    senders = _superstep_at(reader, min(sent), parent, step - 1 if isinstance(step, int) else None)
    if not senders:
        raise ValueError(
            f"frame {index} ({node.node_name}) ran from a Send made from the graph's input, which is not "
            "recorded; resume from a step before the graph started"
        )
    pushed = [i for i in senders if (graph_facts(reader.frame(i)) or {}).get("push")]
    if pushed:
        raise ValueError(
            f"frame {index} ({node.node_name}) ran from a Send made by a node that a Send started itself; "
            f"resume from frame {pushed[0]} ({reader.frame(pushed[0]).node_name}) instead"
        )
    sending = _frames(reader, senders)
    return GraphEntry(_pull_nodes(sending), sending[0].input_state, _run_of(facts), (sending, _frames(reader, sent)))


def _run_of(facts: dict[str, Any]) -> int:
    run = facts.get("run")
    return run if type(run) is int and run > 0 else 1


def _enclosing_node(reader: VCRReader, fork_at: int) -> int | None:
    for index in range(fork_at, len(reader)):
        if graph_facts(reader.frame(index)) is not None:
            return index
    return None


def _ran_inside(step: Frame, node: Frame) -> bool:
    """Whether ``step`` was recorded while ``node`` ran (a node's frame is written when it ends).

    Node frames note when the node started (``started_us``, on the clock of frame timestamps);
    a step inside it was recorded after that, a step the agent took before the graph, before.
    """
    step_time = step.time
    facts = graph_facts(node)
    started = facts.get("started_us") if facts is not None else None
    if step_time is None or not isinstance(started, int):
        return True  # no clock to go by: the nearest node is the best guess
    return (step_time - _EPOCH) // timedelta(microseconds=1) >= started


def _inner_steps_start(reader: VCRReader, fork_at: int) -> int:
    """Where the steps recorded inside the node around the fork point begin."""
    index = fork_at
    while index > 0:
        previous = reader.frame(index - 1)
        if graph_facts(previous) is not None or _is_fork_point(previous):
            break
        index -= 1
    return index


def _node_frame_of(reader: VCRReader, namespace: str, after: int) -> int | None:
    """The frame of the node whose task namespace is ``namespace`` (recorded after its insides)."""
    for index in range(after + 1, len(reader)):
        facts = graph_facts(reader.frame(index))
        if facts is not None and facts["ns"] == namespace:
            return index
    return None


def _superstep(reader: VCRReader, index: int, facts: dict[str, Any]) -> list[int]:
    """The frames of the superstep of the node at ``index``: it and the nodes that ran beside it."""
    parent = parent_namespace(facts["ns"])
    step = facts.get("step")
    before = _same_step(reader, range(index - 1, -1, -1), parent, step)
    after = _same_step(reader, range(index + 1, len(reader)), parent, step)
    return sorted([index, *before, *after])


def _superstep_at(reader: VCRReader, before: int, parent: str, step: Any) -> list[int]:
    """The frames of superstep ``step`` of the graph at ``parent``, searching back from ``before``."""
    if step is None:
        return []
    for index in range(before - 1, -1, -1):
        frame = reader.frame(index)
        if _is_fork_point(frame):
            return []
        facts = graph_facts(frame)
        if facts is None or parent_namespace(facts["ns"]) != parent:
            continue
        if facts.get("step") == step:
            return _superstep(reader, index, facts)
        if isinstance(facts.get("step"), int) and facts["step"] < step:
            return []
    return []


def _frames(reader: VCRReader, indexes: list[int]) -> tuple[Frame, ...]:
    return tuple(reader.frame(index) for index in indexes)


def _pull_nodes(frames: tuple[Frame, ...]) -> tuple[str, ...]:
    """The nodes to start at: those of ``frames`` that the graph's edges started (not a Send)."""
    keys = []
    for frame in frames:
        facts = graph_facts(frame)
        if facts is not None and not facts.get("push"):
            keys.append(node_key(facts["ns"]))
    return tuple(dict.fromkeys(keys))


def _same_step(reader: VCRReader, indexes: range, parent: str, step: Any) -> list[int]:
    found: list[int] = []
    for index in indexes:
        frame = reader.frame(index)
        if _is_fork_point(frame):
            break
        facts = graph_facts(frame)
        if facts is None or parent_namespace(facts["ns"]) != parent:
            continue  # a step inside a node, or a node of a subgraph
        if facts.get("step") != step:
            break
        found.append(index)
    return found


def _is_fork_point(frame: Frame) -> bool:
    """The checkpoint a fork starts with: frames before it are copies from another run."""
    return frame.frame_type is FrameType.CHECKPOINT and frame.node_name.startswith("fork:")
