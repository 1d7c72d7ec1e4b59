"""One recorded CrewAI kickoff: CrewAI's events and agent steps as frames, and its tasks served by a resume plan.

CrewAI's event bus runs synchronous handlers on a pool of threads, so a handler of ours would cost
a hop to another thread per event, and a wait for the pool (``flush``) at every task's end before
its frames could be written. Instead, while any recorded kickoff runs, the bus's ``emit`` is
wrapped on the instance: each event is noted in the thread that emits it, after CrewAI has
numbered it, and handed on unchanged; nothing is registered with the bus, so a crew that is not
recorded pays nothing. Whenever the agent starts a model call or a tool call after one that
finished, whenever a task of the crew finishes, and when the kickoff ends, the events noted so
far are turned into frames in emission order (by then CrewAI has finished with them) and handed
to the OS in one write (``_run_lines``): what the agent finished is on disk before its next step
starts, so a crash loses at most the step it was in, as in an AutoGen run. A task's last model
call therefore shares the task's write: each write costs the agent more than building the frames
it holds (a system call, and code and data the framework's own work has pushed out of the
caches), so one write per task instead of two takes a third off what recording a task costs. A
crew with a task that asks for human input writes each finished model or tool call at once
instead, so no frame waits in memory while a person answers. The run an event belongs to is
found through a context variable set around the kickoff.

For the duration of a kickoff, each task's ``execute_sync`` and each agent's ``step_callback`` are
wrapped on the instance (and put back afterwards): the step callback notes agent steps, and the
task wrapper is where a resume's plan decides whether the task runs or returns its recorded
output; see ``_crewai_tasks``.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import orjson
from crewai.events.event_bus import crewai_event_bus
from crewai.events.types.llm_events import LLMCallCompletedEvent, LLMCallFailedEvent, LLMCallStartedEvent
from crewai.events.types.task_events import TaskCompletedEvent, TaskFailedEvent, TaskStartedEvent
from crewai.events.types.tool_usage_events import ToolUsageErrorEvent, ToolUsageFinishedEvent, ToolUsageStartedEvent

from recorder.encoding import encode_searched
from recorder.integrations._crewai_tasks import FACTS_KEY, TaskServer, task_input, task_node, task_output_json
from recorder.integrations._framework_run import FrameworkRun
from recorder.integrations._run_lines import RunLines
from recorder.models import FrameMetadata, FrameType
from recorder.resume_plan import ResumePlan, active_plan
from recorder.writer import VCRRecorder, ready_metadata

if TYPE_CHECKING:
    from recorder.integrations.crewai import VCRCrewAI

_current: contextvars.ContextVar[_CrewRun | None] = contextvars.ContextVar("vcr_crewai_run", default=None)
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
_NOTED_TYPES = frozenset(_EVENTS)
_NODE, _LLM, _TOOL = FrameType.NODE_EXECUTION.value, FrameType.LLM_CALL.value, FrameType.TOOL_CALL.value
# A finished step is written before the next one starts (or the task ends).
_STEP_ENDS = frozenset((LLMCallCompletedEvent, LLMCallFailedEvent, ToolUsageFinishedEvent, ToolUsageErrorEvent))
_STEP_STARTS = frozenset((LLMCallStartedEvent, ToolUsageStartedEvent, TaskStartedEvent))


class _Noting:
    """Wraps ``crewai_event_bus.emit`` while any recorded kickoff is in progress (kickoffs are counted).

    The wrapper lets CrewAI emit first (which numbers the event and hands it to CrewAI's own
    handlers), then notes the event for the kickoff running in this context. Whatever ``emit``
    the instance had before is put back when the last kickoff ends.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.runs = 0
        self.previous: Any = None

    def __enter__(self) -> None:
        with self.lock:
            if self.runs == 0:
                self.previous = crewai_event_bus.__dict__.get("emit")
                object.__setattr__(crewai_event_bus, "emit", _emit_noting(crewai_event_bus.emit))
            self.runs += 1

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.runs -= 1
            if self.runs == 0:
                if self.previous is None:
                    crewai_event_bus.__dict__.pop("emit", None)
                else:
                    object.__setattr__(crewai_event_bus, "emit", self.previous)
                self.previous = None


def _emit_noting(original: Any) -> Any:
    def emit(source: Any, event: Any) -> Any:
        result = original(source, event)
        if type(event) in _NOTED_TYPES:
            run = _current.get()
            if run is not None:
                run.note(event)
        return result

    return emit


_noting = _Noting()


def recorded_kickoff(owner: VCRCrewAI, crew: Any, inputs: Mapping[str, Any] | None, kwargs: dict[str, Any]) -> Any:
    recorder = owner.current_recorder(inputs)
    if recorder is None:
        return crew.kickoff(inputs=dict(inputs) if inputs is not None else None, **kwargs)
    run = _CrewRun(recorder, crew, active_plan())
    token = _current.set(run)
    try:
        with _noting, run.hooked():
            return crew.kickoff(inputs=dict(inputs) if inputs is not None else None, **kwargs)
    finally:
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
        self.arrivals = 0
        self.finished = False  # a finished model or tool call is noted and not yet written
        # With a task that waits for a person after its last model call, write each step as it ends.
        self.eager = any(getattr(task, "human_input", False) is True for task in getattr(crew, "tasks", ()))
        self.started: dict[str, Any] = {}  # started events by task id / call id, for inputs and latency
        self.running_task: Any = None  # the task whose events are being written (tasks run in order)
        self.server = TaskServer(self, plan)
        self.lines = RunLines(recorder)

    # -- noting ---------------------------------------------------------------------------

    def note(self, event: Any) -> None:
        kind = type(event)
        with self.lock:
            self.arrivals += 1
            sequence = getattr(event, "emission_sequence", None)
            self.noted.append((sequence if type(sequence) is int else 0, self.arrivals, event))
            if kind in _STEP_ENDS:
                self.finished = True
                due = self.eager
            else:
                due = self.finished and kind in _STEP_STARTS
        if due:
            self.write_noted()  # a finished model or tool call is on disk before the next step starts

    def note_step(self, agent: Any, step: Any) -> None:
        from crewai.events.base_events import get_next_emission_sequence

        self.note(_Step(get_next_emission_sequence(), agent, step))

    def write_noted(self) -> None:
        """Write every event noted so far as frames, in the order CrewAI emitted them, in one write."""
        with self.writing:
            with self.lock:
                noted, self.noted = self.noted, []
                self.finished = False
            if noted:
                if len(noted) > 1:
                    noted.sort(key=_emitted)
                self.lines.record_together(self._write, [event for _, _, event in noted])

    # -- wrapping -------------------------------------------------------------------------

    def hooked(self) -> _Hooks:
        return _Hooks(self)

    # -- frames ---------------------------------------------------------------------------

    def _write(self, event: Any) -> None:
        # Only events of these exact types are noted (``_NOTED_TYPES``), so the type picks the handler.
        _HANDLERS[type(event)](self, event)

    def _task_started(self, event: Any) -> None:
        self.started[f"task:{event.task_id}"] = event
        self.running_task = event.task

    def _task_completed(self, event: Any) -> None:
        self._task_done(event, None)

    def _task_failed(self, event: Any) -> None:
        self._task_done(event, event.error)

    def _llm_started(self, event: Any) -> None:
        self.started[f"llm:{event.call_id}"] = event

    def _tool_started(self, event: Any) -> None:
        self.started[f"tool:{event.tool_name}:{event.agent_key}"] = event

    def _task_done(self, event: Any, error: str | None) -> None:
        task = event.task
        if task is None or self.server.answered(task):
            return  # answered from the recording: its frame (if any) is written by the server
        started = self.started.pop(f"task:{event.task_id}", None)
        context = getattr(started, "context", None) if started is not None else None
        index = self.server.index_of(task)
        state = task_input(task, context)
        latency = _latency_ms(started, event)
        facts = {"kind": "task", "index": index}
        if error is not None:
            metadata = FrameMetadata(
                latency_ms=latency, error_type="TaskError", error_message=error, custom=self.custom(facts)
            )
            self.recorder.record_step(
                task_node(task, index), state, {"error": error}, metadata=metadata, frame_type=FrameType.ERROR
            )
        else:
            self.recorder.record_ready(  # the input holds str values only, the output is pydantic's JSON
                task_node(task, index),
                _NODE,
                orjson.Fragment(encode_searched(state)),
                orjson.Fragment(task_output_json(event.output)),
                ready_metadata(latency_ms=latency, custom=self.custom(facts)),
                searched=True,
            )
        self.counted()

    def _llm_done(self, event: Any) -> None:
        started = self.started.pop(f"llm:{event.call_id}", None)
        model = event.model or getattr(started, "model", None) or "unknown"
        model = model if type(model) is str else str(model)  # the format's metadata.model is a string
        messages = getattr(event, "messages", None) or getattr(started, "messages", None) or []
        facts = self._inside(event, "model")
        latency = _latency_ms(started, event)
        if isinstance(event, LLMCallFailedEvent):
            metadata = FrameMetadata(
                model=model,
                latency_ms=latency,
                error_type="LLMError",
                error_message=event.error,
                custom=self.custom(facts),
            )
            self.recorder.record_step(
                f"llm:{model}",
                {"messages": messages},
                {"error": event.error},
                metadata=metadata,
                frame_type=FrameType.ERROR,
            )
        else:
            usage = event.usage if isinstance(event.usage, dict) else {}
            cost = usage.get("cost", usage.get("cost_usd"))
            ready = ready_metadata(
                model=model,
                latency_ms=latency,
                tokens_input=_count(usage.get("prompt_tokens", usage.get("input_tokens"))),
                tokens_output=_count(usage.get("completion_tokens", usage.get("output_tokens"))),
                cost_usd=float(cost) if isinstance(cost, (int, float)) else None,
                custom=self.custom(facts),
            )
            self.recorder.record_ready(
                f"llm:{model}", _LLM, {"messages": messages}, {"response": event.response}, ready
            )
        self.counted()

    def _tool_done(self, event: Any) -> None:
        started = self.started.pop(f"tool:{event.tool_name}:{event.agent_key}", None)
        arguments = event.tool_args if isinstance(event.tool_args, dict) else {"value": event.tool_args}
        facts = self._inside(event, "tool")
        if isinstance(event, ToolUsageFinishedEvent):
            latency = (event.finished_at - event.started_at).total_seconds() * 1000.0
        else:
            latency = _latency_ms(started, event)
        node = f"tool:{event.tool_name}"
        if isinstance(event, ToolUsageErrorEvent):
            message = str(event.error)
            metadata = FrameMetadata(
                latency_ms=latency, error_type="ToolError", error_message=message, custom=self.custom(facts)
            )
            self.recorder.record_step(
                node, arguments, {"error": message}, metadata=metadata, frame_type=FrameType.ERROR
            )
        else:
            ready = ready_metadata(
                latency_ms=latency, custom=self.custom({**facts, "from_cache": bool(event.from_cache)})
            )
            self.recorder.record_ready(node, _TOOL, arguments, {"result": event.output, "error": None}, ready)
        self.counted()

    def _step(self, step: _Step) -> None:
        agent = step.agent
        output = _step_state(step.step)
        facts: dict[str, Any] = {"kind": "step", "step": type(step.step).__name__}
        self.recorder.record_step(
            str(getattr(agent, "role", "agent")),
            {"agent": str(getattr(agent, "role", ""))},
            output,
            metadata=FrameMetadata(custom=self.custom(facts)),
        )

    def _inside(self, event: Any, kind: str) -> dict[str, Any]:
        facts: dict[str, Any] = {"kind": kind}
        task = getattr(event, "from_task", None) or self.running_task
        if task is not None:
            facts["task"] = task_node(task, self.server.index_of(task))
        agent = getattr(event, "from_agent", None)
        role = getattr(agent, "role", None) or getattr(event, "agent_role", None)
        if role:
            facts["agent"] = str(role)
        return facts


def _emitted(item: tuple[int, int, Any]) -> tuple[int, int]:
    """A noted event's place: CrewAI's emission number, then the order it reached the run."""
    return item[0], item[1]


class _Step:
    """An agent step noted from a step callback, numbered among CrewAI's events."""

    __slots__ = ("agent", "emission_sequence", "step")

    def __init__(self, sequence: int, agent: Any, step: Any) -> None:
        self.emission_sequence = sequence
        self.agent = agent
        self.step = step


_HANDLERS: dict[type, Callable[[_CrewRun, Any], None]] = {
    _Step: _CrewRun._step,
    TaskStartedEvent: _CrewRun._task_started,
    TaskCompletedEvent: _CrewRun._task_completed,
    TaskFailedEvent: _CrewRun._task_failed,
    LLMCallStartedEvent: _CrewRun._llm_started,
    LLMCallCompletedEvent: _CrewRun._llm_done,
    LLMCallFailedEvent: _CrewRun._llm_done,
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


def _latency_ms(started: Any, finished: Any) -> float:
    begin = getattr(started, "timestamp", None)
    end = getattr(finished, "timestamp", None)
    if begin is None or end is None:
        return 0.0
    try:
        return max(float((end - begin).total_seconds()) * 1000.0, 0.0)
    except TypeError:
        return 0.0


def _count(value: Any) -> int | None:
    return value if type(value) is int else None
