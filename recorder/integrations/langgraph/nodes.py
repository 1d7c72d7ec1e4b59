"""One recorded LangGraph node: a Runnable around the node's own, writing a frame per execution.

The wrapper sits where LangGraph keeps the node's runnable, so LangGraph still injects
``config``, ``runtime``, ``store`` and ``writer`` into the node, still applies its retry and
cache policies, and still turns the node's return value into channel writes. Each execution
becomes one frame: the node's path (``sub/inner`` inside a subgraph, from LangGraph's own
checkpoint namespace), the state it received, the update it returned, its latency, and under
``custom["langgraph"]`` the task's namespace, superstep and start time, which a resume uses to
find where a node ran and which recorded steps ran inside it. A node that raises leaves an error
frame; ``interrupt()`` leaves an ``interrupt:<node>`` checkpoint frame (the node runs again from
its start when the run goes on).

While a resume runs, the wrapper asks the resume plan about each execution, exactly as
``@vcr_record`` does, and hands LangGraph the recorded (or mocked, or edited) update instead of
running the node when the plan says so.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage
from langchain_core.runnables import Runnable, RunnableConfig
from langgraph.errors import GraphInterrupt, ParentCommand
from langgraph.types import Command, Send

from recorder.decorators import _usage
from recorder.encoding import decode_value
from recorder.error_marks import already_recorded, mark_recorded
from recorder.graph_facts import graph_path, parent_namespace
from recorder.integrations.langgraph.answers import ANSWERS_KEY, given_answers, replay_answers, scratchpad_of
from recorder.integrations.langgraph.entry import entries_for
from recorder.integrations.langgraph.runs import RUN_KEY
from recorder.integrations.langgraph.state import (
    StateDecoder,
    from_snapshot,
    searched,
    snapshot,
    state_fields,
)
from recorder.models import FrameMetadata, FrameType
from recorder.resume_plan import Action, Decision, ResumePlan, active_plan
from recorder.vocabulary import SOURCE
from recorder.writer import VCRRecorder

if TYPE_CHECKING:
    from recorder.integrations.langgraph import VCRLangGraph

# Parallel branches of one superstep run on several threads; the plan's cursor is shared.
_plan_lock = threading.Lock()
_NO_ROUTING: dict[str, Any] = {}


class RecordedNode(Runnable[Any, Any]):
    """A graph node's runnable that records each execution into the current recorder."""

    def __init__(self, inner: Runnable[Any, Any], node: str, owner: VCRLangGraph, decoder: StateDecoder) -> None:
        self.inner = inner
        self.node = node
        self.owner = owner
        self.decoder = decoder
        self.name = getattr(inner, "name", None) or node

    def __repr__(self) -> str:
        return f"RecordedNode({self.node!r}, {self.inner!r})"

    def _prepare(self, input: Any, config: RunnableConfig | None) -> _NodeCall | None:
        """The call to record (already decided by a running resume's plan), or None when not recording."""
        recorder = self.owner.current_recorder()
        if recorder is None:
            return None
        call = _NodeCall(self, recorder, input, config)
        plan = active_plan()
        if plan is not None:
            call.decide(plan)
        else:
            server = self.owner.golden_server(recorder)
            if server is not None:
                call.decision = server.decide(call.path, call.input_state)
        return call

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        call = self._prepare(input, config)
        if call is None:
            return self.inner.invoke(input, config, **kwargs)
        if call.decision is not None:  # a resume is running
            if call.answered:
                return call.answer()
            input = call.live_input(input)
        token = _usage.set(call.usage)
        started = time.perf_counter()
        try:
            result = self.inner.invoke(input, config, **kwargs)
        except Exception as exc:
            call.failed(exc, started)
            raise
        finally:
            _usage.reset(token)
        call.finished(result, started)
        return result

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        call = self._prepare(input, config)
        if call is None:
            return await self.inner.ainvoke(input, config, **kwargs)
        if call.decision is not None:  # a resume is running
            if call.answered:
                return call.answer()
            input = call.live_input(input)
        token = _usage.set(call.usage)
        started = time.perf_counter()
        try:
            result = await self.inner.ainvoke(input, config, **kwargs)
        except Exception as exc:
            call.failed(exc, started)
            raise
        finally:
            _usage.reset(token)
        call.finished(result, started)
        return result


class _NodeCall:
    """One execution of a node: its identity, its input as recorded, and how the plan served it."""

    __slots__ = (
        "_input",
        "decision",
        "input_bytes",
        "langgraph",
        "node",
        "path",
        "plan",
        "recorder",
        "scratchpad",
        "usage",
    )

    def __init__(self, node: RecordedNode, recorder: VCRRecorder, state: Any, config: RunnableConfig | None) -> None:
        self.node = node
        self.recorder = recorder
        self.usage = FrameMetadata()
        self.decision: Decision | None = None
        self.plan: ResumePlan | None = None
        self.input_bytes = snapshot(state if type(state) is dict else state_fields(state))
        self._input: dict[str, Any] | None = None
        conf = config.get("configurable") if config else None
        self.scratchpad = scratchpad_of(conf)
        ns = conf.get("checkpoint_ns", "") if conf else ""
        if not ns:
            self.path = node.node
            self.langgraph: dict[str, Any] = {}
            return
        self.path = node.node if "|" not in ns else "/".join(part.partition(":")[0] for part in ns.split("|"))
        metadata = config.get("metadata") if config else None
        self.langgraph = {
            "ns": ns,
            "step": metadata.get("langgraph_step") if metadata else None,
            "started_us": time.time_ns() // 1000,  # on the clock of frame timestamps
        }
        if metadata:
            run = metadata.get(RUN_KEY)
            if run is not None:
                self.langgraph["run"] = run  # which top-level invocation of the agent
            task_path: Any = metadata.get("langgraph_path") or ("",)
            if task_path[0] == "__pregel_push":
                self.langgraph["push"] = True  # started by a Send, with its own input
                if len(task_path) > 1 and type(task_path[1]) is int:
                    self.langgraph["send"] = task_path[1]  # its place among the superstep's sends

    @property
    def input_state(self) -> dict[str, Any]:
        """The input as recorded (parsed from the snapshot once)."""
        if self._input is None:
            self._input = from_snapshot(self.input_bytes)
        return self._input

    @property
    def answered(self) -> bool:
        return self.decision is not None and self.decision.action is not Action.LIVE

    def decide(self, plan: ResumePlan) -> None:
        repeats = None
        if self.langgraph:
            entries = entries_for(plan)
            if entries is not None:
                repeats = entries.repeats(self.langgraph, self.input_state)
        with _plan_lock:
            self.decision = plan.decide(self.path, self.input_state, repeats=repeats)
        self.plan = plan

    def live_input(self, given: Any) -> Any:
        """What the node runs on: ``given``, or the edit when this is a ``Send``'s node at the fork point.

        A node the graph's edges started reads the graph's state, which the resume already
        starts from the edit; a node a ``Send`` started gets the send's own argument, so the
        edit replaces that argument, in the shape the node was given.
        """
        decision = self.decision
        if self.plan is not None:
            replay_answers(self.plan, self.path, self.scratchpad)
        if decision is None or decision.state is None:
            return given
        if not self.langgraph.get("push"):
            self._check_entered()
            return given
        self.input_bytes = snapshot(decision.state)  # the frame shows what the node ran on
        self._input = None
        return _shaped_like(given, self.node.decoder.decode(decision.state))

    def _check_entered(self) -> None:
        """At the fork point, the graph must have started there with the edit; say so when not.

        A node the graph's edges started reads the graph's state: if its graph was not entered
        at the fork point (the agent invoked the graph fewer times than the recording holds, so
        the invocation the fork point ran in never came), that state is not the edited one.
        """
        plan = self.plan
        if plan is None or not self.langgraph:
            return
        entries = entries_for(plan)
        path = graph_path(parent_namespace(self.langgraph["ns"]))
        if entries is not None and path in entries.entries and path not in entries.entered:
            plan.edit_missed(
                f"frame {plan.fork_at} ({self.path}) ran on the graph's own state, not the edited one: the "
                "invocation it was recorded in never came (pass the graph or its invoke method to resume, "
                "or invoke it as many times as the recording did)"
            )

    def answer(self) -> Any:
        """The update the plan gives instead of running the node (recorded, mocked, edited)."""
        decision = self.decision
        assert decision is not None
        output = decision.output if decision.output is not None else {}
        if decision.action is Action.MOCK and isinstance(output.get("return"), Command):
            command = output["return"]  # a mock for a node that routes with Command: record it as one
            update, routing = _update_of(command)
            self._record(update, FrameMetadata(), decision.source, routing)
            return command
        if decision.action is Action.SKIP and decision.matched is None:
            output = {}  # nothing recorded to skip to: an empty update, not the input re-applied
        recorded = decision.matched.metadata.custom.get("langgraph") if decision.matched is not None else None
        routing = _routing(recorded)
        if decision.action is not Action.RECORDED:
            custom = {k: v for k, v in decision.custom.items() if k != "returns"}
            self._record(output, FrameMetadata(custom=custom), decision.source, routing)
        return _node_return(output, routing, decision.custom, self.node.decoder)

    def finished(self, result: Any, started: float) -> None:
        latency = (time.perf_counter() - started) * 1000.0
        answers = given_answers(self.scratchpad)
        if answers:  # what interrupt() returned in this run, for a resume to hand back
            self.langgraph = {**self.langgraph, ANSWERS_KEY: answers}
        output, routing = (result, _NO_ROUTING) if type(result) is dict else _update_of(result)
        usage = self.usage
        if usage.tokens_used is None:
            _usage_from_messages(output, usage)
        usage.latency_ms = latency
        self._record(output, usage, self._source(), routing)

    def failed(self, exc: Exception, started: float) -> None:
        latency = (time.perf_counter() - started) * 1000.0
        if isinstance(exc, GraphInterrupt):
            self._interrupted(exc)
            return
        if isinstance(exc, ParentCommand):
            # A subgraph's node sent a Command to this graph: for this graph it is what the
            # subgraph node returned, and replaying it means returning that Command.
            output, routing = _update_of(exc.args[0])
            routing.pop("graph", None)
            self.usage.latency_ms = latency
            self._record(output, self.usage, self._source(), routing)
            return
        message = str(exc) or type(exc).__name__
        metadata = self.usage
        metadata.latency_ms = latency
        metadata.error_type = type(exc).__name__
        metadata.error_message = message
        metadata.custom.update(self._custom(self._source(), {}))
        self.recorder.record_step(
            self.path, self.input_state, {"error": message}, metadata=metadata, frame_type=FrameType.ERROR
        )
        mark_recorded(exc)

    def _interrupted(self, exc: GraphInterrupt) -> None:
        if already_recorded(exc):
            return  # the node inside a subgraph that called interrupt() has recorded it
        interrupts = [
            {"value": getattr(item, "value", item), "id": getattr(item, "id", None)} for item in _sequence(exc.args)
        ]
        self.recorder.record_step(
            f"interrupt:{self.path}",
            self.input_state,
            {"interrupts": interrupts},
            metadata=FrameMetadata(custom=self._custom(None, {})),
            frame_type=FrameType.CHECKPOINT,
        )
        mark_recorded(exc)

    def _record(self, output: Any, metadata: FrameMetadata, source: str | None, routing: dict[str, Any]) -> None:
        metadata.custom.update(self._custom(source, routing))  # this call's own metadata
        checked = False
        if type(output) is dict:
            output, checked = searched(output)
        self.recorder.record_encoded_step(
            self.path,
            self.input_bytes,
            output,
            metadata=metadata,
            frame_type=self.node.owner.frame_types.get(self.path, FrameType.NODE_EXECUTION),
            output_checked=checked,
        )

    def _source(self) -> str | None:
        return self.decision.source if self.decision is not None else None

    def _custom(self, source: str | None, routing: dict[str, Any]) -> dict[str, Any]:
        custom: dict[str, Any] = {"langgraph": {**self.langgraph, **routing} if routing else self.langgraph}
        if source:
            custom[SOURCE] = source
        return custom


def _sequence(args: tuple[Any, ...]) -> Sequence[Any]:
    first = args[0] if args else ()
    return first if isinstance(first, (list, tuple)) else [first]


# -- what a node returned, as a frame's output, and back -------------------------------------


def _update_of(result: Any) -> tuple[Any, dict[str, Any]]:
    """A node's return value as (update to record, routing facts for ``custom["langgraph"]``)."""
    if result is None:
        return {}, {}
    if isinstance(result, dict):
        return result, {}
    if isinstance(result, Command):
        routing: dict[str, Any] = {}
        goto = _goto_of(result.goto)
        if goto:
            routing["goto"] = goto
        if result.graph is not None:
            routing["graph"] = "parent" if result.graph == Command.PARENT else result.graph
        return _command_update(result.update), routing
    if isinstance(result, (list, tuple)):
        return {"return": result}, {"returns": "value"}
    return state_fields(result), {}


def _command_update(update: Any) -> dict[str, Any]:
    if update is None:
        return {}
    if isinstance(update, (list, tuple)):
        return dict(update)
    return state_fields(update)


def _goto_of(goto: Any) -> list[Any]:
    targets = goto if isinstance(goto, (list, tuple)) else [goto] if goto else []
    out: list[Any] = []
    for target in targets:
        if isinstance(target, Send):
            out.append({"send": target.node, "arg": target.arg})
        else:
            out.append(target)
    return out


def _routing(recorded: Any) -> dict[str, Any]:
    if not isinstance(recorded, dict):
        return {}
    return {key: recorded[key] for key in ("goto", "graph", "returns") if key in recorded}


def _node_return(output: Any, routing: Mapping[str, Any], custom: Mapping[str, Any], decoder: StateDecoder) -> Any:
    """What the node would have returned, rebuilt from a recorded (or mocked, or edited) update."""
    if not isinstance(output, dict):
        return output
    if routing.get("returns") == "value" or custom.get("returns") == "value":
        return decode_value(output.get("return"))  # e.g. a list of updates; Commands in it stay data
    update = decoder.decode(output)
    goto = routing.get("goto")
    graph = routing.get("graph")
    if not goto and graph is None:
        return update
    targets = [
        Send(target["send"], decoder.decode(target["arg"]) if isinstance(target["arg"], dict) else target["arg"])
        if isinstance(target, dict)
        else target
        for target in goto or []
    ]
    return Command(update=update, goto=targets, graph=Command.PARENT if graph == "parent" else graph if graph else None)


def _shaped_like(given: Any, edited: dict[str, Any]) -> Any:
    """``edited`` (a decoded state) in the type of ``given``: a dict, a model, a dataclass or a bare value."""
    if isinstance(given, Mapping):
        return edited
    kind = type(given)
    try:
        if hasattr(kind, "model_validate"):
            return kind.model_validate(edited)
        if dataclasses.is_dataclass(given):
            return kind(**edited)
    except Exception:  # the edit no longer fits the type: hand the node the data as it is
        return edited
    if set(edited) == {"value"}:
        return edited["value"]  # a bare value, recorded as {"value": ...}
    return edited


def _usage_from_messages(update: Any, usage: FrameMetadata) -> None:
    """Model and token counts from the LangChain messages a node returned, when it did not say."""
    if not isinstance(update, dict):
        return
    for value in update.values():
        for message in value if isinstance(value, list) else (value,):
            if type(message) is AIMessage or isinstance(message, AIMessage):
                _add_usage(message, usage)


def _add_usage(message: AIMessage, usage: FrameMetadata) -> None:
    counts = message.usage_metadata
    if counts:
        usage.tokens_input = (usage.tokens_input or 0) + int(counts.get("input_tokens") or 0)
        usage.tokens_output = (usage.tokens_output or 0) + int(counts.get("output_tokens") or 0)
        usage.tokens_used = usage.tokens_input + usage.tokens_output
        meta = getattr(message, "response_metadata", None)
        if isinstance(meta, dict) and usage.model is None:
            model = meta.get("model_name") or meta.get("model")
            usage.model = model if isinstance(model, str) else None
