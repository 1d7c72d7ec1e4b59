"""Where a recorded graph node ran, read from its frame.

A LangGraph node's frame carries ``metadata.custom["langgraph"]``: the task's checkpoint
namespace (``sub:<task>|inner:<task>``), its superstep (``step``), the agent's top-level
invocation (``run``) and, for a node a ``Send`` started, ``push`` and its place among the sends
(``send``). Resuming reads these to find where to start the graph; the debugger reads them to
show what a node changed. Both read them here. The values come from an untrusted file, so
every accessor checks their types. Nothing here imports LangGraph.
"""

from __future__ import annotations

from typing import Any, Final

from recorder.models import Frame

FACTS_KEY = "langgraph"

GraphPath = tuple[str, ...]


def graph_facts(frame: Frame) -> dict[str, Any] | None:
    """The facts of a recorded graph node's frame (a non-empty namespace at least), else None."""
    facts = frame.metadata.custom.get(FACTS_KEY)
    if isinstance(facts, dict) and isinstance(facts.get("ns"), str) and facts["ns"]:
        return facts
    return None


def parent_namespace(namespace: str) -> str:
    """The namespace of the graph a task ran in: ``sub:<t>|inner:<u>`` -> ``sub:<t>``."""
    return namespace.rpartition("|")[0]


def node_key(namespace: str) -> str:
    """The node a task ran: ``sub:<t>|inner:<u>`` -> ``inner``."""
    return namespace.rpartition("|")[2].partition(":")[0]


def graph_path(namespace: str) -> GraphPath:
    """``sub:<task>|inner:<task>`` -> ``("sub", "inner")``."""
    if not namespace:
        return ()
    return tuple(part.partition(":")[0] for part in namespace.split("|"))


class GraphPlace:
    """Where a graph node ran: its graph (the parent namespace), superstep, invocation and send.

    A plain class, not a dataclass, as it is imported on the viewer's start (see ``slotted``).
    """

    __slots__ = ("graph", "run", "send", "sent", "step")

    def __init__(self, graph: str, step: int, run: int | None, sent: bool, send: int | None) -> None:
        self.graph: Final = graph
        self.step: Final = step
        self.run: Final = run
        self.sent: Final = sent  # started by a Send: its input is the send's argument, not the graph's state
        self.send: Final = send


def graph_place(frame: Frame) -> GraphPlace | None:
    """The place of a graph node's frame with a whole-number superstep, else None."""
    facts = graph_facts(frame)
    if facts is None or type(facts.get("step")) is not int:
        return None
    run, send = facts.get("run"), facts.get("send")
    return GraphPlace(
        parent_namespace(facts["ns"]),
        facts["step"],
        run if type(run) is int else None,
        bool(facts.get("push")),
        send if type(send) is int else None,
    )
