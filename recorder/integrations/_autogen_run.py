"""One recorded AutoGen team run: its stream of messages and events, and AutoGen's event log, as frames.

Messages and tool calls come from the team's own ``run_stream``; model calls from the
``LLMCallEvent`` each of AutoGen's model clients builds per call for its event log
(``autogen_core.events``). The event is built in the task that made the call, and the team's
agents run in tasks started from the caller's, so a context variable set around the run says
which run a model call belongs to.

Each frame is built on the loop's thread, from values AgentChat no longer changes (a message
handed to every participant, a model call's logged event), a stretch of them at a time, and held
with the run's other lines until a write takes them all to the OS, at the loop's next turn: as
soon as the agent awaits a model or a tool (``_run_lines``).
Every frame is written before the run returns.
"""

from __future__ import annotations

import contextvars
import json
import threading
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson
from autogen_agentchat.base import TaskResult
from autogen_agentchat.messages import BaseChatMessage, BaseMessage, ToolCallExecutionEvent, ToolCallRequestEvent
from autogen_core.logging import LLMCallEvent

from recorder.encoding import encode_line
from recorder.integrations._autogen_resume import FACTS_KEY, TeamStart, prepare_team, team_start
from recorder.integrations._framework_run import FrameworkRun
from recorder.integrations._run_lines import RunLines
from recorder.models import FrameMetadata, FrameType
from recorder.resume_plan import ResumeCancelled, ResumePlan, active_plan
from recorder.writer import VCRRecorder, ready_metadata

if TYPE_CHECKING:
    from recorder.integrations.autogen import VCRAutoGen

_NODE, _LLM = FrameType.NODE_EXECUTION.value, FrameType.LLM_CALL.value
_current: contextvars.ContextVar[_TeamRun | None] = contextvars.ContextVar("vcr_autogen_run", default=None)


class _Listening:
    """Sees each ``LLMCallEvent`` made while any recorded run is in progress (runs are counted).

    Every AutoGen model client builds an ``LLMCallEvent`` for each call and logs it to AutoGen's
    event logger at once, in the task that made the call. The event is taken where it is built:
    ``LLMCallEvent.__init__`` is wrapped, and put back when the last run ends. Wrapping the
    logger's ``info`` instead would put a call of ours in front of each of the many events the
    runtime logs per message (about eight), for one model call among them; and switching the
    logger to INFO would have AutoGen build a log record for each, which costs more than the
    whole recording.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.runs = 0
        self.original: Any = None

    def __enter__(self) -> None:
        with self.lock:
            if self.runs == 0:
                self.original = LLMCallEvent.__dict__["__init__"]
                LLMCallEvent.__init__ = _init_seeing_model_calls(self.original)
            self.runs += 1

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.runs -= 1
            if self.runs == 0:
                LLMCallEvent.__init__ = self.original
                self.original = None


def _init_seeing_model_calls(original: Any) -> Any:
    def __init__(event: LLMCallEvent, *args: Any, **kwargs: Any) -> None:
        original(event, *args, **kwargs)
        run = _current.get()
        if run is not None:
            run.model_call(event.kwargs)

    return __init__


_listening = _Listening()


async def recorded_stream(owner: VCRAutoGen, team: Any, task: Any, cancellation_token: Any) -> AsyncIterator[Any]:
    recorder = owner.current_recorder(task)
    if recorder is None:
        async for item in team.run_stream(task=task, cancellation_token=cancellation_token):
            yield item
        return
    plan = active_plan()
    start = team_start(plan) if plan is not None else None
    run = _TeamRun(recorder, plan)
    stream_task: Any = task
    output_task = True
    if start is not None and plan is not None:
        await prepare_team(team, start)
        plan.forked = True  # the edited thread is the team's state now: the edit has reached it
        run.resume_from(start)
        stream_task = start.task_messages()
        output_task = False
    token = _current.set(run)
    run.lines.open()
    try:
        with _listening:
            async for item in team.run_stream(
                task=stream_task, cancellation_token=cancellation_token, output_task_messages=output_task
            ):
                run.seen(item)
                yield item
    finally:
        run.flush()
        _current.reset(token)
        run.lines.close()  # every frame written (or the write's error raised) before the run returns


class _TeamRun(FrameworkRun):
    """What one run has recorded so far: the thread, the tool calls awaiting a result, the turn."""

    facts_key = FACTS_KEY

    def __init__(self, recorder: VCRRecorder, plan: ResumePlan | None) -> None:
        super().__init__(recorder, plan)
        self.thread: list[bytes] = []  # each chat message, encoded once, in order
        self.turn = 0
        self.pending: dict[str, tuple[str, dict[str, Any], float]] = {}
        self.model_calls_in_turn = 0
        self.turn_started = time.perf_counter()
        self.waiting: list[tuple[float, dict[str, Any]]] = []  # (when it was logged, the call)
        self.lines = RunLines(recorder)

    def resume_from(self, start: TeamStart) -> None:
        self.thread = [encode_line(message, newline=False) for message in start.messages]
        self.turn = start.turn

    def seen(self, item: Any) -> None:
        if self.plan is not None and self.plan.cancel is not None and self.plan.cancel.is_set():
            raise ResumeCancelled("resume cancelled")
        made = getattr(item, "created_at", None)
        if isinstance(item, BaseChatMessage):
            if self.waiting:
                self.flush(made if isinstance(made, datetime) else None)
            self._message(item)
            self.lines.due()
            return
        self.flush(made if isinstance(made, datetime) else None)
        if isinstance(item, ToolCallRequestEvent):
            now = time.perf_counter()
            for call in item.content:
                self.pending[call.id] = (call.name, _arguments(call.arguments), now)
        elif isinstance(item, ToolCallExecutionEvent):
            for result in item.content:
                self._tool_result(result)
        elif isinstance(item, TaskResult):
            self.pending.clear()
        self.lines.due()

    def _message(self, message: BaseChatMessage) -> None:
        now = time.perf_counter()
        tokens: tuple[int, int] | None = None
        usage = message.models_usage
        if usage is not None and self.model_calls_in_turn == 0:  # no model call was logged: count it here
            tokens = (usage.prompt_tokens, usage.completion_tokens)
        custom = self.custom({"kind": "message", "type": type(message).__name__, "turn": self.turn})
        self.lines.later(self._write_message, message, (now - self.turn_started) * 1000.0, tokens, custom)
        self.counted()
        self.turn += 1
        self.model_calls_in_turn = 0
        self.turn_started = now

    def _write_message(
        self, message: BaseChatMessage, latency: float, tokens: tuple[int, int] | None, custom: dict[str, Any]
    ) -> None:
        # The thread grows by one message a turn: each is encoded once, and a frame's input is
        # those bytes joined, not the whole thread serialised again.
        encoded = _encoded(message)
        thread = b'{"messages":[' + b",".join(self.thread) + b"]}"
        self.thread.append(encoded)
        metadata = (
            ready_metadata(latency_ms=latency, custom=custom)
            if tokens is None
            else ready_metadata(latency_ms=latency, tokens_input=tokens[0], tokens_output=tokens[1], custom=custom)
        )
        source = message.source
        self.recorder.record_ready(
            source if type(source) is str else str(source),
            _NODE,
            orjson.Fragment(thread),
            orjson.Fragment(b'{"message":' + encoded + b"}"),
            metadata,
            searched=True,
        )

    def _tool_result(self, result: Any) -> None:
        name, arguments, started = self.pending.pop(result.call_id, (result.name, {}, time.perf_counter()))
        latency = (time.perf_counter() - started) * 1000.0
        custom = self.custom({"kind": "tool", "call_id": result.call_id, "turn": self.turn})
        self.lines.later(self._write_tool_result, result, name, arguments, latency, custom)
        self.counted()

    def _write_tool_result(
        self, result: Any, name: str, arguments: dict[str, Any], latency: float, custom: dict[str, Any]
    ) -> None:
        if result.is_error:
            metadata = FrameMetadata(
                latency_ms=latency, error_type="ToolError", error_message=result.content, custom=custom
            )
            self.recorder.record_step(
                f"tool:{name}", arguments, {"error": result.content}, metadata=metadata, frame_type=FrameType.ERROR
            )
        else:
            metadata = FrameMetadata(latency_ms=latency, custom=custom)
            self.recorder.record_step(
                f"tool:{name}",
                arguments,
                {"result": result.content, "error": None},
                metadata=metadata,
                frame_type=FrameType.TOOL_CALL,
            )

    def model_call(self, event: dict[str, Any]) -> None:
        """Note a model call; its frame is written once the stream has caught up with it.

        The team's stream hands over messages and events a little after the agents made them,
        while model calls are logged as they finish: holding the call until the stream reaches
        an item made after it keeps the frames in the order things happened.
        """
        self.waiting.append((time.time(), event))

    def flush(self, before: datetime | None = None) -> None:
        """Write the model calls made before ``before`` (all of them without it)."""
        if not self.waiting:
            return
        until = before.timestamp() if before is not None else None
        while self.waiting and (until is None or self.waiting[0][0] <= until):
            self._model_frame(self.waiting.pop(0)[1])

    def _model_frame(self, event: dict[str, Any]) -> None:
        self.lines.later(self._write_model_frame, event, self.custom(self._model_facts(event)))
        self.model_calls_in_turn += 1
        self.counted()

    def _model_facts(self, event: dict[str, Any]) -> dict[str, Any]:
        facts: dict[str, Any] = {"kind": "model", "turn": self.turn}
        agent_id = event.get("agent_id")
        if agent_id:
            facts["agent_id"] = agent_id if type(agent_id) is str else str(agent_id)
        return facts

    def _write_model_frame(self, event: dict[str, Any], custom: dict[str, Any]) -> None:
        response = event.get("response")
        model = event.get("model") or (response.get("model") if isinstance(response, dict) else None) or "unknown"
        model = model if type(model) is str else str(model)
        metadata = ready_metadata(
            model=model,
            tokens_input=_count(event.get("prompt_tokens")),
            tokens_output=_count(event.get("completion_tokens")),
            custom=custom,
        )
        self.recorder.record_ready(
            f"llm:{model}", _LLM, {"messages": event.get("messages") or []}, {"response": response}, metadata
        )


def _encoded(message: BaseChatMessage) -> bytes:
    """A message as JSON, as ``dump`` gives it: straight from pydantic's serializer unless ``dump`` is overridden."""
    if type(message).dump is BaseMessage.dump:
        data: bytes = message.__pydantic_serializer__.to_json(message)
        return data
    return encode_line(dict(message.dump()), newline=False)


def _arguments(raw: str) -> dict[str, Any]:
    try:
        parsed = json.loads(raw)
    except (TypeError, ValueError):
        return {"arguments": raw}
    return parsed if isinstance(parsed, dict) else {"arguments": parsed}


def _count(value: Any) -> int | None:
    return value if type(value) is int else None
