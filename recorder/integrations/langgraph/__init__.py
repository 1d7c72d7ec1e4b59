"""Record a LangGraph graph with one line, and resume it from any recorded node.

    app = VCRLangGraph(VCRRecorder(".vcr")).wrap_graph(builder).compile()

``wrap_graph`` takes a ``StateGraph`` (compile the result as usual, with any checkpointer) or an
already compiled graph, and leaves the graph it was given untouched. Every node execution
becomes a frame: the node's name (``parent/child`` inside subgraphs), the state it received,
the update it returned, its latency, and an error frame when it raises. ``invoke``, ``stream``,
``ainvoke``, ``astream`` and subgraphs are all recorded, because recording happens in the nodes
themselves.

Resuming uses the engine's own ``resume``/``aresume`` with any callable that runs the wrapped
graph (``app.invoke`` will do): the graph is not replayed from its start but starts at the
node of the chosen frame with the (edited) state, in a fork of the recording, in FORK, REPLAY
or MOCK mode. How it starts there (checkpointing when the graph has a checkpointer, a graph
entered at that node otherwise) is explained in ``graphs``.

``golden=cache`` (a ``GoldenRunCache``) answers every node whose name and input equal a golden
step's from the golden run instead of running it.

This module imports LangGraph only when a graph is wrapped, so it imports (and ``recorder``
stays importable) where LangGraph is not installed.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from recorder.decorators import vcr_record
from recorder.models import FrameType
from recorder.resume_plan import active_plan
from recorder.writer import VCRRecorder, active_recorder, with_session

if TYPE_CHECKING:
    from recorder.golden import GoldenRunCache, GoldenServer

G = TypeVar("G")

__all__ = ["LangGraphMissingError", "VCRLangGraph", "vcr_record"]  # vcr_record: where the peer keeps it


class LangGraphMissingError(ImportError):
    """Wrapping a graph needs the ``langgraph`` package."""


class VCRLangGraph:
    """Records the nodes of LangGraph graphs into a recorder.

    ``recorder`` is where frames go; its session is started on the first frame when the caller
    has not started one. Without a recorder, frames go to the active one (``with recorder:``),
    and nothing is recorded when there is none. While a resume runs, frames always go to the
    fork's recorder. ``frame_types`` marks nodes by name as ``llm`` or ``tool`` steps (``node``
    by default), so a model call shows as one in the debugger.
    """

    def __init__(
        self,
        recorder: VCRRecorder | None = None,
        *,
        frame_types: Mapping[str, FrameType | str] | None = None,
        session_metadata: Mapping[str, Any] | None = None,
        golden: GoldenRunCache | None = None,
        golden_task: str | None = None,
    ) -> None:
        self.recorder = recorder
        self.frame_types = {name: FrameType(kind) for name, kind in (frame_types or {}).items()}
        self.session_metadata = dict(session_metadata or {})
        self._golden_lock = threading.Lock()
        self.golden = golden
        self.golden_task = golden_task  # None: every golden run in the cache answers
        self._golden_serving: tuple[str, GoldenServer] | None = None

    def wrap_graph(self, graph: G) -> G:
        """A recording copy of ``graph``: a ``StateGraph`` (not yet compiled) or a compiled graph."""
        try:
            from langgraph.graph import StateGraph
            from langgraph.graph.state import CompiledStateGraph

            from recorder.integrations.langgraph.graphs import wrap_compiled, wrap_state_graph
        except ImportError as exc:
            raise LangGraphMissingError(
                f"recording a LangGraph graph needs the langgraph package (pip install langgraph): {exc}"
            ) from exc
        if isinstance(graph, StateGraph):
            return wrap_state_graph(graph, self)  # type: ignore[return-value]
        if isinstance(graph, CompiledStateGraph):
            return wrap_compiled(graph, self)  # type: ignore[return-value]
        raise TypeError(f"wrap_graph takes a StateGraph or a compiled StateGraph, not {type(graph).__name__}")

    def current_recorder(self) -> VCRRecorder | None:
        """Where the node running now records: the fork during a resume, else this one's recorder."""
        own = self.recorder
        if own is None or active_plan() is not None:
            return active_recorder()
        return with_session(own, {"framework": "langgraph", **self.session_metadata})

    def golden_server(self, recorder: VCRRecorder) -> GoldenServer | None:
        """What answers nodes from golden runs: ``cache.serving()`` when active, else ``golden``.

        With ``golden``, each recording session walks the golden steps afresh, so identical
        repeated node calls replay in recorded order within a session.
        """
        from recorder.golden import active_server

        server = active_server()
        if server is not None or self.golden is None:
            return server
        session = recorder.session
        session_id = session.session_id if session is not None else ""
        with self._golden_lock:
            serving = self._golden_serving
            if serving is None or serving[0] != session_id:
                from recorder.golden.serving import GoldenServer
                from recorder.golden.table import Matcher

                if serving is not None:
                    serving[1].matcher.table.close()
                serving = (session_id, GoldenServer(Matcher(self.golden.table(self.golden_task)), recorder))
                self._golden_serving = serving
            return serving[1]

    def frame_type_for(self, node_name: str) -> FrameType:
        return self.frame_types.get(node_name, FrameType.NODE_EXECUTION)
