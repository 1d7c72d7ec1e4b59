"""One recorded CrewAI kickoff: CrewAI's events and agent steps as frames, and its tasks served by a resume plan.

CrewAI's event bus runs synchronous handlers on a pool of threads, so a handler of ours would cost
a hop to another thread per event, and a wait for the pool (``flush``) at every task's end before
its frames could be written. Instead, each recorded kickoff adds a stream sink of its own
(``crewai.events.stream_context``), which CrewAI calls in the thread that emits each event of the
kickoff's context, once it has numbered it; nothing is registered with the bus and nothing of
CrewAI's is wrapped for the events, so a crew that is not recorded pays nothing, and a recorded
one pays one short call per event. Whenever the agent starts a model call or a tool call after one that
finished, whenever a task of the crew finishes, and when the kickoff ends, the events noted so
far are turned into frames in emission order (by then CrewAI has finished with them) and handed
to the OS in one write (``VCRRecorder.record_ready_frames``; a failed write is kept by
``_run_lines`` and raised when the kickoff ends): what the agent finished is on disk before its next step
starts, so a crash loses at most the step it was in, as in an AutoGen run. A task's last model
call therefore shares the task's write: each write costs the agent more than building the frames
it holds (a system call, and code and data the framework's own work has pushed out of the
caches), so one write per task instead of two takes a third off what recording a task costs. A
crew with a task that asks for human input writes each finished model or tool call at once
instead, so no frame waits in memory while a person answers. A context variable set around the
kickoff keeps the events of a recorded kickoff nested in another to the inner one.

Nearly all a recorded task costs the agent is code run with cold caches at the task's end, after
CrewAI's own work has pushed the recorder's code and data out: about 1,800 bytecodes and one
system call per task, where each function entered costs more than the work inside it. So the
path is kept short: the event's place among the steps is looked up once, when it is noted; the
commonest write, a task whose agent answered in one model call, is built in one go
(``_one_call_task``) rather than event by event; the frames are built as ready records (no
``FrameMetadata`` round trip); a chat of plain messages is vouched for in a few C calls
(``flat_dicts``) instead of being walked for enum members; and a task's name is worked out once
per kickoff.

For the duration of a kickoff, each task's ``execute_sync`` and each agent's ``step_callback`` are
wrapped on the instance (and put back afterwards): the step callback notes agent steps, and the
task wrapper is where a resume's plan decides whether the task runs or returns its recorded
output; see ``_crewai_tasks``.
"""

from __future__ import annotations

import contextvars
import itertools
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import orjson
from crewai.events.base_events import get_next_emission_sequence
from crewai.events.stream_context import add_stream_sink, reset_stream_sinks
from crewai.events.types.llm_events import LLMCallCompletedEvent, LLMCallFailedEvent, LLMCallStartedEvent
from crewai.events.types.task_events import TaskCompletedEvent, TaskFailedEvent, TaskStartedEvent
from crewai.events.types.tool_usage_events import ToolUsageErrorEvent, ToolUsageFinishedEvent, ToolUsageStartedEvent

from recorder.encoding import flat_dicts
from recorder.integrations._crewai_tasks import FACTS_KEY, TaskServer, task_input, task_output_json
from recorder.integrations._framework_run import FrameworkRun
from recorder.integrations._run_lines import RunLines
from recorder.models import FrameType
from recorder.resume_plan import ResumePlan, active_plan
from recorder.writer import ReadyFrame, VCRRecorder, ready_metadata

if TYPE_CHECKING:
    from recorder.integrations.crewai import VCRCrewAI

_current: contextvars.ContextVar[_CrewRun | None] = contextvars.ContextVar("vcr_crewai_run", default=None)


class _Step:
    """An agent step noted from a step callback, numbered among CrewAI's events."""

    __slots__ = ("agent", "step")

    def __init__(self, agent: Any, step: Any) -> None:
        self.agent = agent
        self.step = step


_EVENTS = (
    TaskStartedEvent,
    TaskCompletedEvent,
    TaskFailedEvent,
    LLMCallStartedEvent,
    LLMCallCompletedEvent,
    LLMCallFailedEvent,
    ToolUsageStartedEvent,
    ToolUsageFinishedEvent,
    ToolUsageErrorEvent,
)
_NODE, _LLM, _TOOL = FrameType.NODE_EXECUTION.value, FrameType.LLM_CALL.value, FrameType.TOOL_CALL.value
_ERROR = FrameType.ERROR.value
# Where a noted event stands among an agent's steps: a finished step is written before the next
# one starts (or the task ends). Only events of these exact types are noted.
_OTHER, _STEP_START, _STEP_END = 0, 1, 2
_PLACES: dict[type, int] = {
    **dict.fromkeys(_EVENTS, _OTHER),
    **dict.fromkeys((LLMCallStartedEvent, ToolUsageStartedEvent, TaskStartedEvent), _STEP_START),
    **dict.fromkeys(
        (LLMCallCompletedEvent, LLMCallFailedEvent, ToolUsageFinishedEvent, ToolUsageErrorEvent), _STEP_END
    ),
}


def recorded_kickoff(owner: VCRCrewAI, crew: Any, inputs: Mapping[str, Any] | None, kwargs: dict[str, Any]) -> Any:
    recorder = owner.current_recorder(inputs)
    if recorder is None:
        return crew.kickoff(inputs=dict(inputs) if inputs is not None else None, **kwargs)
    run = _CrewRun(recorder, crew, active_plan())
    token = _current.set(run)
    sinks = add_stream_sink(run.heard)
    try:
        with run.hooked():
            return crew.kickoff(inputs=dict(inputs) if inputs is not None else None, **kwargs)
    finally:
        reset_stream_sinks(sinks)
        run.write_noted()
        _current.reset(token)
        run.lines.close()  # the first error a write met (a full disk) raised: no success for lost frames


class _CrewRun(FrameworkRun):
    """What one kickoff has noted and not yet written, and what it wrapped."""

    facts_key = FACTS_KEY

    def __init__(self, recorder: VCRRecorder, crew: Any, plan: ResumePlan | None) -> None:
        super().__init__(recorder, plan)
        self.crew = crew
        self.lock = threading.Lock()
        self.writing = threading.Lock()  # one task's frames at a time, whichever thread ends it
        self.noted: list[tuple[int, int, Any]] = []  # (CrewAI's emission number, arrival, event)
        self.arrivals = itertools.count()
        self.finished = False  # a finished model or tool call is noted and not yet written
        # With a task that waits for a person after its last model call, write each step as it ends.
        self.eager = any(getattr(task, "human_input", False) is True for task in getattr(crew, "tasks", ()))
        # Started events, for inputs and latency: by task id, by model call id, by tool and agent.
        self.task_starts: dict[Any, Any] = {}
        self.llm_starts: dict[Any, Any] = {}
        self.tool_starts: dict[tuple[Any, Any], Any] = {}
        self.task_nodes: dict[Any, str] = {}  # CrewAI's task id (as its events carry it) -> the task's frame name
        self.running_task: Any = None  # the task whose events are being written (tasks run in order)
        self.server = TaskServer(self, plan)
        self.lines = RunLines(recorder)

    # -- noting ---------------------------------------------------------------------------

    def heard(self, source: Any, event: Any) -> None:
        """CrewAI's stream sink: keep each event of this kickoff that becomes part of a frame, for
        the next write; write now when it starts a step after a finished one.

        CrewAI calls it for every event it emits in the kickoff's context, once the event is
        numbered, and most of them are not kept: those return after one dict lookup. An event of a
        recorded kickoff nested inside this one is that kickoff's alone.
        """
        if type(event) not in _PLACES or _current.get() is not self:
            return
        place = _PLACES[type(event)]
        with self.lock:
            self.noted.append((event.emission_sequence or 0, next(self.arrivals), event))
            if place == _STEP_END:
                self.finished = True
                due = self.eager
            else:
                due = place == _STEP_START and self.finished
        if due:
            self.write_noted()  # a finished model or tool call is on disk before the next step starts

    def note_step(self, agent: Any, step: Any) -> None:
        """Keep an agent step (from its step callback), numbered among CrewAI's events."""
        with self.lock:
            self.noted.append((get_next_emission_sequence(), next(self.arrivals), _Step(agent, step)))

    def write_noted(self) -> None:
        """Write every event noted so far as frames, in the order CrewAI emitted them, in one write."""
        with self.writing:
            with self.lock:
                noted, self.noted = self.noted, []
                self.finished = False
            if noted:
                noted.sort()  # by emission number, then arrival: no two are equal, so events are never compared
                self.lines.record(self._write, noted)

    # -- wrapping -------------------------------------------------------------------------

    def hooked(self) -> _Hooks:
        return _Hooks(self)

    # -- frames ---------------------------------------------------------------------------

    def _write(self, noted: list[tuple[int, int, Any]]) -> None:
        """The frames of the noted events, handed to the recorder together (those built before a
        failure too, before it is raised)."""
        ready: list[ReadyFrame] = []
        try:
            if len(noted) != 4 or not self._one_call_task(noted, ready):
                for _, _, event in noted:
                    _HANDLERS[type(event)](self, event, ready)
        finally:
            self.recorder.record_ready_frames(ready)

    def _one_call_task(self, noted: list[tuple[int, int, Any]], ready: list[ReadyFrame]) -> bool:
        """The frames of the commonest write, a task whose agent answered in one model call, built
        in one go; False (nothing built) for anything else, which the event handlers write.

        The lines are those the handlers would write (``test_crewai`` compares them), with four
        handler calls fewer: at a task's end the recorder's code has left the caches, and each
        function it enters costs the agent more there than the work inside it.
        """
        started, call, called, ended = noted[0][2], noted[1][2], noted[2][2], noted[3][2]
        if (type(started), type(call), type(called), type(ended)) != _ONE_CALL_TASK:
            return False
        task = ended.task
        server = self.server
        model = called.model
        response = called.response
        messages = called.messages
        if (
            task is None
            or started.task is not task
            or id(task) in server.answered_ids
            or called.call_id != call.call_id
            or called.task_id != started.task_id
            or type(model) is not str
            or not model
            or type(response) is not str
            or not messages
        ):
            return False
        node = self.task_nodes[started.task_id] = server.node_of(task)
        self.running_task = task
        llm = _llm_metadata(model, _latency_ms(call, called), called.usage, self.custom(self._inside(called, "model")))
        task_facts = {"kind": "task", "index": server.places.get(id(task))}
        metadata = ready_metadata(latency_ms=_latency_ms(started, ended), custom=self.custom(task_facts))
        ready.append((f"llm:{model}", _LLM, {"messages": messages}, {"response": response}, llm, flat_dicts(messages)))
        state = task_input(task, getattr(started, "context", None))
        output = orjson.Fragment(task_output_json(ended.output))
        ready.append((node, _NODE, state, output, metadata, True))
        self.counted(2)
        return True

    def _task_started(self, event: Any, ready: list[ReadyFrame]) -> None:
        self.task_starts[event.task_id] = event
        task = self.running_task = event.task
        if task is not None:
            self.task_nodes[event.task_id] = self.server.node_of(task)

    def _task_completed(self, event: Any, ready: list[ReadyFrame]) -> None:
        self._task_done(event, None, ready)

    def _task_failed(self, event: Any, ready: list[ReadyFrame]) -> None:
        self._task_done(event, event.error, ready)

    def _llm_started(self, event: Any, ready: list[ReadyFrame]) -> None:
        self.llm_starts[event.call_id] = event

    def _tool_started(self, event: Any, ready: list[ReadyFrame]) -> None:
        self.tool_starts[event.tool_name, event.agent_key] = event

    def _task_done(self, event: Any, error: str | None, ready: list[ReadyFrame]) -> None:
        task = event.task
        server = self.server
        if task is None or id(task) in server.answered_ids:
            return  # answered from the recording: its frame (if any) is written by the server
        started = self.task_starts.pop(event.task_id, None)
        state = task_input(task, getattr(started, "context", None))
        custom = self.custom({"kind": "task", "index": server.places.get(id(task))})
        latency = _latency_ms(started, event)
        if error is None:  # the input holds str values only, the output is pydantic's JSON
            output: Any = orjson.Fragment(task_output_json(event.output))
            ready.append(
                (server.node_of(task), _NODE, state, output, ready_metadata(latency_ms=latency, custom=custom), True)
            )
        else:
            metadata = ready_metadata(latency_ms=latency, error_type="TaskError", error_message=error, custom=custom)
            ready.append((server.node_of(task), _ERROR, state, {"error": error}, metadata, False))
        self.counted()

    def _llm_done(self, event: Any, ready: list[ReadyFrame]) -> None:
        started = self.llm_starts.pop(event.call_id, None)
        model = event.model or getattr(started, "model", None) or "unknown"
        if type(model) is not str:
            model = str(model)  # the format's metadata.model is a string
        messages = event.messages or getattr(started, "messages", None) or []
        response = event.response
        metadata = _llm_metadata(
            model, _latency_ms(started, event), event.usage, self.custom(self._inside(event, "model"))
        )
        # A chat of plain messages and a text reply cannot hold an enum member: no search needed.
        searched = type(response) is str and flat_dicts(messages)
        ready.append((f"llm:{model}", _LLM, {"messages": messages}, {"response": response}, metadata, searched))
        self.counted()

    def _llm_failed(self, event: Any, ready: list[ReadyFrame]) -> None:
        started = self.llm_starts.pop(event.call_id, None)
        model = event.model or getattr(started, "model", None) or "unknown"
        if type(model) is not str:
            model = str(model)
        messages = getattr(started, "messages", None) or []
        metadata = ready_metadata(
            model=model,
            latency_ms=_latency_ms(started, event),
            error_type="LLMError",
            error_message=event.error,
            custom=self.custom(self._inside(event, "model")),
        )
        ready.append((f"llm:{model}", _ERROR, {"messages": messages}, {"error": event.error}, metadata, False))
        self.counted()

    def _tool_done(self, event: Any, ready: list[ReadyFrame]) -> None:
        started = self.tool_starts.pop((event.tool_name, event.agent_key), None)
        arguments = event.tool_args if isinstance(event.tool_args, dict) else {"value": event.tool_args}
        facts = self._inside(event, "tool")
        node = f"tool:{event.tool_name}"
        if type(event) is ToolUsageErrorEvent:
            message = str(event.error)
            metadata = ready_metadata(
                latency_ms=_latency_ms(started, event),
                error_type="ToolError",
                error_message=message,
                custom=self.custom(facts),
            )
            ready.append((node, _ERROR, arguments, {"error": message}, metadata, False))
        else:
            latency = (event.finished_at - event.started_at).total_seconds() * 1000.0
            facts["from_cache"] = bool(event.from_cache)
            metadata = ready_metadata(latency_ms=latency, custom=self.custom(facts))
            ready.append((node, _TOOL, arguments, {"result": event.output, "error": None}, metadata, False))
        self.counted()

    def _step(self, step: _Step, ready: list[ReadyFrame]) -> None:
        agent = step.agent
        facts: dict[str, Any] = {"kind": "step", "step": type(step.step).__name__}
        metadata = ready_metadata(custom=self.custom(facts))
        state = {"agent": str(getattr(agent, "role", ""))}
        ready.append((str(getattr(agent, "role", "agent")), _NODE, state, _step_state(step.step), metadata, False))

    def _inside(self, event: Any, kind: str) -> dict[str, Any]:
        """What a model or tool frame was part of: the task (as its frame is named) and the agent.

        CrewAI's model and tool events carry the task's id rather than the task; a call outside
        any known task (a manager's planning call) is put in the task running, if any.
        """
        facts: dict[str, Any] = {"kind": kind}
        node = self.task_nodes.get(event.task_id)
        if node is None:
            task = getattr(event, "from_task", None) or self.running_task
            node = self.server.node_of(task) if task is not None else None
        if node is not None:
            facts["task"] = node
        role = getattr(getattr(event, "from_agent", None), "role", None) or event.agent_role
        if role:
            facts["agent"] = str(role)
        return facts


# The events of a task whose agent answered in one model call, as they are written together.
_ONE_CALL_TASK = (TaskStartedEvent, LLMCallStartedEvent, LLMCallCompletedEvent, TaskCompletedEvent)
# Only events of these exact types are noted (``_PLACES``), so the type picks the handler.
_HANDLERS: dict[type, Callable[[_CrewRun, Any, list[ReadyFrame]], None]] = {
    _Step: _CrewRun._step,
    TaskStartedEvent: _CrewRun._task_started,
    TaskCompletedEvent: _CrewRun._task_completed,
    TaskFailedEvent: _CrewRun._task_failed,
    LLMCallStartedEvent: _CrewRun._llm_started,
    LLMCallCompletedEvent: _CrewRun._llm_done,
    LLMCallFailedEvent: _CrewRun._llm_failed,
    ToolUsageStartedEvent: _CrewRun._tool_started,
    ToolUsageFinishedEvent: _CrewRun._tool_done,
    ToolUsageErrorEvent: _CrewRun._tool_done,
}


class _Hooks:
    """Wraps the crew's tasks and agents for one kickoff, and puts everything back afterwards."""

    def __init__(self, run: _CrewRun) -> None:
        self.run = run
        self.callbacks: list[tuple[Any, Any]] = []

    def __enter__(self) -> None:
        crew = self.run.crew
        for agent in crew.agents:
            previous = agent.step_callback
            self.callbacks.append((agent, previous))
            chained = previous or crew.step_callback
            object.__setattr__(agent, "step_callback", _step_callback(self.run, agent, chained))
        self.run.server.wrap(crew.tasks)

    def __exit__(self, *exc: object) -> None:
        for agent, previous in self.callbacks:
            object.__setattr__(agent, "step_callback", previous)
        self.run.server.unwrap()


def _step_callback(run: _CrewRun, agent: Any, chained: Any) -> Any:
    def step_callback(step: Any) -> Any:
        run.note_step(agent, step)
        return chained(step) if chained is not None else None

    return step_callback


def _step_state(step: Any) -> dict[str, Any]:
    """An agent step (an action, a tool result, a final answer) as a state."""
    fields = ("thought", "tool", "tool_input", "text", "result", "output", "result_as_answer")
    state = {name: getattr(step, name) for name in fields if hasattr(step, name)}
    return state or {"value": step}


def _llm_metadata(model: str, latency_ms: float, usage: Any, custom: dict[str, Any]) -> dict[str, Any]:
    """A model call's metadata: tokens and cost from CrewAI's usage dict, when it reports one."""
    if type(usage) is not dict:
        return ready_metadata(model=model, latency_ms=latency_ms, custom=custom)
    tokens_in = usage.get("prompt_tokens", usage.get("input_tokens"))
    tokens_out = usage.get("completion_tokens", usage.get("output_tokens"))
    cost = usage.get("cost", usage.get("cost_usd"))
    return ready_metadata(
        model=model,
        latency_ms=latency_ms,
        tokens_input=tokens_in if type(tokens_in) is int else None,
        tokens_output=tokens_out if type(tokens_out) is int else None,
        cost_usd=float(cost) if isinstance(cost, (int, float)) else None,
        custom=custom,
    )


def _latency_ms(started: Any, finished: Any) -> float:
    """Milliseconds between two events' timestamps (0 without a started event, or for odd stamps)."""
    if started is None:
        return 0.0
    try:
        elapsed: float = (finished.timestamp - started.timestamp).total_seconds()
    except (AttributeError, TypeError):
        return 0.0
    return max(elapsed * 1000.0, 0.0)
