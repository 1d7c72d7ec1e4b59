"""Recorded LangGraph graphs: every node wrapped, and a run that can start at any node.

``RecordedStateGraph`` is a ``StateGraph`` whose ``compile()`` wraps each node (and each compiled
subgraph used as a node, recursively) and returns a ``RecordedGraph``; a compiled graph is
wrapped into a ``RecordedGraph`` directly. Either way the caller's graph object is left as it
was.

``RecordedGraph`` is the compiled graph with one addition: while a resume runs, the first time
a graph of the chain worked out by ``entry`` starts (``invoke``, ``stream`` and the
async forms all start through ``stream``/``astream``), it starts at its entry nodes with the
entry state instead of at ``START`` with its input:

- the top-level graph, when it has a checkpointer, does it through LangGraph's checkpointing, on
  a thread of its own named after the fork's session (the recorded thread is never touched):
  ``update_state(state, as_node=START)`` writes the state as the run's input,
  ``update_state(None, as_node=END)`` drops the task that input would start, and
  ``Command(goto=nodes)`` runs the entry nodes from that checkpoint. (Writing it "as" the entry
  node instead would run that node's routers on a state that is its input, not its output.)
- any other graph (no checkpointer, a subgraph running inside its parent, or an input schema
  narrower than the state) is compiled once more from its builder with ``START`` leading to the
  entry nodes and the full state schema as input, and runs from there (on the fork's thread when
  it has a checkpointer).

The new thread and the rebuilt graph both start from empty channels, so the entry state passes
through each channel's reducer once, from nothing: the graph's state is the entry state, not the
entry state added to what was there.
"""

from __future__ import annotations

import copy
import dataclasses
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from langchain_core.runnables import Runnable, RunnableConfig, ensure_config
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.pregel import Pregel
from langgraph.types import Command

from recorder.graph_facts import graph_path
from recorder.integrations.langgraph.entry import GraphEntry, entries_for
from recorder.integrations.langgraph.nodes import RecordedNode
from recorder.integrations.langgraph.runs import RUN_KEY, next_run
from recorder.integrations.langgraph.state import StateDecoder
from recorder.resume_plan import active_plan
from recorder.writer import active_recorder

if TYPE_CHECKING:
    from recorder.integrations.langgraph import VCRLangGraph

_DEFAULT_ERROR_HANDLER = "__default_error_handler__"


class RecordedStateGraph(StateGraph):  # type: ignore[type-arg]
    """A ``StateGraph`` that compiles into a recorded graph.

    It can also be run as it is (``wrap_graph(builder).invoke(...)``, as the peer documents):
    the first run compiles it, without a checkpointer, and later runs reuse that graph.
    """

    _vcr_owner: VCRLangGraph
    _vcr_compiled: RecordedGraph | None = None

    def compile(self, *args: Any, **kwargs: Any) -> RecordedGraph:
        decoder = StateDecoder(self.state_schema)
        self.nodes = {
            name: dataclasses.replace(spec, runnable=_recorded(spec.runnable, name, self._vcr_owner, decoder))
            for name, spec in self.nodes.items()
        }
        compiled = super().compile(*args, **kwargs)
        return _as_recorded(compiled, self._vcr_owner, dict(self.nodes))

    def _vcr_graph(self) -> RecordedGraph:
        if self._vcr_compiled is None:
            self._vcr_compiled = self.compile()
        return self._vcr_compiled

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        return self._vcr_graph().invoke(input, config, **kwargs)

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        return await self._vcr_graph().ainvoke(input, config, **kwargs)

    def stream(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[Any]:
        return self._vcr_graph().stream(input, config, **kwargs)

    def astream(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> AsyncIterator[Any]:
        return self._vcr_graph().astream(input, config, **kwargs)


def wrap_state_graph(graph: StateGraph, owner: VCRLangGraph) -> RecordedStateGraph:  # type: ignore[type-arg]
    """A copy of the builder whose compiled graphs record; the builder given stays as it was."""
    wrapped: RecordedStateGraph = copy.copy(graph)  # type: ignore[assignment]
    wrapped.__class__ = RecordedStateGraph
    wrapped.nodes = dict(graph.nodes)
    _copy_structure(wrapped, graph)
    wrapped._vcr_owner = owner
    return wrapped


def wrap_compiled(graph: CompiledStateGraph, owner: VCRLangGraph) -> RecordedGraph:  # type: ignore[type-arg]
    """A copy of the compiled graph whose nodes record; the graph given stays as it was."""
    decoder = StateDecoder(graph.builder.state_schema)
    wrapped: RecordedGraph = copy.copy(graph)  # type: ignore[assignment]
    wrapped.nodes = dict(graph.nodes)
    specs = {}
    for name, spec in graph.builder.nodes.items():
        node = graph.nodes.get(name)
        if node is None:
            continue
        recorded = _recorded(node.bound, name, owner, decoder)
        subgraphs = [recorded.inner] if isinstance(recorded.inner, Pregel) else node.subgraphs
        wrapped.nodes[name] = node.copy({"bound": recorded, "subgraphs": subgraphs})
        specs[name] = dataclasses.replace(spec, runnable=recorded)
    return _as_recorded(wrapped, owner, specs)


class RecordedGraph(CompiledStateGraph):  # type: ignore[type-arg]
    """A compiled graph whose nodes record, and which a resume can start at any node."""

    _vcr_owner: VCRLangGraph
    _vcr_specs: dict[str, Any]
    _vcr_variants: dict[tuple[str, ...], CompiledStateGraph]  # type: ignore[type-arg]
    _vcr_decoder: StateDecoder

    def copy(self, update: dict[str, Any] | None = None) -> RecordedGraph:
        # Pregel.copy rebuilds through __init__, which would drop what is set here.
        duplicate = copy.copy(self)
        duplicate.__dict__.update(update or {})
        duplicate._vcr_variants = {}  # entry graphs carry the config they were built with
        return duplicate

    def stream(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[Any]:
        config, entry = self._vcr_begin(config)
        if entry is None:
            yield from super().stream(input, config, **kwargs)
            return
        path, start = entry
        state = self._vcr_decoder.decode(start.state)
        if path or not isinstance(self.checkpointer, BaseCheckpointSaver):
            yield from self._vcr_variant(start.nodes).stream(state, config, **kwargs)
            return
        thread = _fork_thread(config)
        if not self._vcr_input_takes(state):
            yield from self._vcr_variant(start.nodes).stream(state, thread, **kwargs)
            return
        thread = self.update_state(thread, state, as_node=START)
        thread = self.update_state(thread, None, as_node=END)
        yield from super().stream(Command(goto=list(start.nodes)), thread, **kwargs)

    async def astream(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> AsyncIterator[Any]:
        config, entry = self._vcr_begin(config)
        if entry is None:
            async for chunk in super().astream(input, config, **kwargs):
                yield chunk
            return
        path, start = entry
        state = self._vcr_decoder.decode(start.state)
        if path or not isinstance(self.checkpointer, BaseCheckpointSaver):
            async for chunk in self._vcr_variant(start.nodes).astream(state, config, **kwargs):
                yield chunk
            return
        thread = _fork_thread(config)
        if not self._vcr_input_takes(state):
            async for chunk in self._vcr_variant(start.nodes).astream(state, thread, **kwargs):
                yield chunk
            return
        thread = await self.aupdate_state(thread, state, as_node=START)
        thread = await self.aupdate_state(thread, None, as_node=END)
        async for chunk in super().astream(Command(goto=list(start.nodes)), thread, **kwargs):
            yield chunk

    def _vcr_begin(
        self, config: RunnableConfig | None
    ) -> tuple[RunnableConfig | None, tuple[tuple[str, ...], GraphEntry] | None]:
        """The config to run with, and where a running resume starts this graph (None: as usual).

        A top-level invocation is numbered (per recording session) in the config's metadata,
        which LangGraph hands on to every node, subgraphs' included: an agent that invokes the
        graph once per turn records which turn each node ran in, and a resume starts the graph
        at the fork point only in that turn.
        """
        merged = ensure_config(config)  # a subgraph's namespace comes in its config or from the running node
        path = graph_path(str(merged.get("configurable", {}).get("checkpoint_ns", "")))
        run: int | None = None
        if not path:
            recorder = self._vcr_owner.current_recorder()
            if recorder is not None:
                run = next_run(recorder)
                base: dict[str, Any] = dict(config or {})
                base["metadata"] = {**(base.get("metadata") or {}), RUN_KEY: run}
                config = base  # type: ignore[assignment]
        plan = active_plan()
        if plan is None:
            return config, None
        entries = entries_for(plan)
        start = None if entries is None else entries.take(path, run)
        return config, None if start is None else (path, start)

    def _vcr_input_takes(self, state: dict[str, Any]) -> bool:
        """Whether writing ``state`` as the graph's input keeps every key and runs no router.

        ``update_state(as_node=START)`` writes through the input schema (keys outside it are
        dropped) and runs the routers of a conditional entry point on the state, which was never
        meant for them; then the graph is entered at the node instead.
        """
        builder = self.builder
        return START not in builder.branches and set(state) <= set(builder.schemas[builder.input_schema])

    def _vcr_variant(self, nodes: tuple[str, ...]) -> CompiledStateGraph:  # type: ignore[type-arg]
        """This graph compiled again with ``START`` leading to ``nodes``; cached per entry."""
        variant = self._vcr_variants.get(nodes)
        if variant is not None:
            return variant
        builder = self.builder
        rebuilt: StateGraph = copy.copy(builder)  # type: ignore[type-arg]
        rebuilt.__class__ = StateGraph
        skip_default = builder._node_defaults.error_handler is not None
        rebuilt.nodes = {
            name: dataclasses.replace(spec)
            for name, spec in self._vcr_specs.items()
            if not (skip_default and name == _DEFAULT_ERROR_HANDLER)
        }
        _copy_structure(rebuilt, builder)
        rebuilt.edges = {(start, end) for start, end in builder.edges if start != START}
        rebuilt.edges.update((START, node) for node in nodes)
        rebuilt.branches.pop(START, None)
        rebuilt.input_schema = builder.state_schema  # the entry state holds every channel
        compiled = rebuilt.compile(
            checkpointer=self.checkpointer,
            store=self.store,
            cache=self.cache,
            interrupt_before=_interrupts(self.interrupt_before_nodes),
            interrupt_after=_interrupts(self.interrupt_after_nodes),
            debug=self.debug,
            name=self.name,
        )
        _link_subgraphs(compiled)
        if self.config:
            compiled = compiled.with_config(self.config)
        self._vcr_variants[nodes] = compiled
        return compiled


def _recorded(runnable: Any, name: str, owner: VCRLangGraph, decoder: StateDecoder) -> RecordedNode:
    if isinstance(runnable, RecordedNode):
        runnable = runnable.inner
    if isinstance(runnable, CompiledStateGraph):
        runnable = wrap_compiled(runnable, owner)
    inner: Runnable[Any, Any] = runnable
    return RecordedNode(inner, name, owner, decoder)


def _as_recorded(
    compiled: CompiledStateGraph,  # type: ignore[type-arg]
    owner: VCRLangGraph,
    specs: dict[str, Any],
) -> RecordedGraph:
    compiled.__class__ = RecordedGraph
    recorded: RecordedGraph = compiled  # type: ignore[assignment]
    recorded._vcr_owner = owner
    recorded._vcr_specs = specs
    recorded._vcr_variants = {}
    recorded._vcr_decoder = StateDecoder(compiled.builder.state_schema)
    _link_subgraphs(recorded)
    return recorded


def _link_subgraphs(compiled: CompiledStateGraph) -> None:  # type: ignore[type-arg]
    """Let LangGraph see subgraphs behind recorded nodes (state snapshots, subgraph streaming)."""
    for node in compiled.nodes.values():
        bound = node.bound
        if isinstance(bound, RecordedNode) and isinstance(bound.inner, Pregel):
            node.subgraphs = [bound.inner]


def _copy_structure(target: StateGraph, source: StateGraph) -> None:  # type: ignore[type-arg]
    """Own containers for the copy, so later changes to one graph never show in the other."""
    target.edges = set(source.edges)
    target.branches = defaultdict(dict, {start: dict(branches) for start, branches in source.branches.items()})
    target.waiting_edges = set(source.waiting_edges)
    target.channels = dict(source.channels)
    target.managed = dict(source.managed)
    target.schemas = dict(source.schemas)
    target.compiled = False


def _interrupts(nodes: Any) -> Any:
    return nodes if nodes == "*" else list(nodes)


def _fork_thread(config: RunnableConfig | None) -> RunnableConfig:
    """The caller's config on a thread of the fork's own (named after its session)."""
    base: dict[str, Any] = dict(config or {})
    configurable = {
        key: value
        for key, value in (base.get("configurable") or {}).items()
        if key not in ("checkpoint_id", "checkpoint_ns", "checkpoint_map")
    }
    recorder = active_recorder()
    session = recorder.session if recorder is not None else None
    configurable["thread_id"] = session.session_id if session is not None else f"vcr-fork-{uuid.uuid4()}"
    base["configurable"] = configurable
    return base  # type: ignore[return-value]
