"""``@vcr_record``: one frame per call of a function, for agents written as plain Python.

A decorated function records into the active recorder (``with recorder:``) and does nothing extra
when none is active, so the decorator can stay in production code. While a resume is running
(``VCRPlayer.resume``) the same wrapper asks the resume plan what to do with each call: return the
recorded output without calling, call live (with the edited state at the fork point), or return a
mock. That is how a function-based agent is resumed from the middle: Python cannot jump into a
function, so the agent is called again and its steps before the fork point are answered from the
recording.

How a call becomes a state: a function of one mapping argument (``def plan(state)``) records that
mapping as its input state; any other signature records its arguments by name. A mapping return
value is the output state; anything else is recorded as ``{"return": value}``. Arguments named
``self`` and ``cls`` are never recorded.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import time
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar, overload

from recorder.encoding import decode_value, to_jsonable
from recorder.entry_points import importable_name
from recorder.error_marks import already_recorded, mark_recorded
from recorder.golden.keys import IDENTITY_KEY
from recorder.golden.serving import golden_decision
from recorder.models import FrameMetadata, FrameType
from recorder.resume_plan import Action, Decision, active_plan
from recorder.vocabulary import AGENT_INPUT, ENTRY_POINT
from recorder.writer import VCRRecorder, active_recorder, with_session

F = TypeVar("F", bound=Callable[..., Any])
CallStyle = Literal["state", "kwargs"]
_PASSTHROUGH = ("self", "cls")
CALL_KEY = "call"  # metadata.custom key on every frame recorded here: how the call was shaped


@overload
def vcr_record(func: F, /) -> F: ...
@overload
def vcr_record(
    recorder: VCRRecorder | None = None,
    /,
    *,
    node_name: str | None = None,
    frame_type: FrameType | str = FrameType.NODE_EXECUTION,
    identity: str = "",
) -> Callable[[F], F]: ...


def vcr_record(
    func: F | VCRRecorder | None = None,
    /,
    *,
    node_name: str | None = None,
    frame_type: FrameType | str = FrameType.NODE_EXECUTION,
    identity: str = "",
) -> F | Callable[[F], F]:
    """Record each call of the function as a frame; works bare or with arguments, sync or async.

    ``@vcr_record(recorder, node_name=...)`` (the peer's form) records into that recorder, whose
    session starts with the first frame when none is open; without one, calls record into the
    active recorder (``with recorder:``). While a resume runs, they always record into its fork.

    ``identity`` (a prompt version, a code hash) is recorded with each frame; a golden run
    answers a call only from a step recorded with the same identity.
    """
    kind = FrameType(frame_type)
    own = func if isinstance(func, VCRRecorder) else None

    def current() -> VCRRecorder | None:
        if own is None or active_plan() is not None:
            return active_recorder()
        return with_session(own)

    def decorate(target: F) -> F:
        step = _Step(target, node_name or target.__name__, kind, identity)
        if inspect.iscoroutinefunction(target):

            @functools.wraps(target)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                recorder = current()
                if recorder is None:
                    return await target(*args, **kwargs)
                call = step.prepare(recorder, args, kwargs)
                if call.decision.action in _ANSWERED:
                    return call.answer()
                started = time.perf_counter()
                token = _usage.set(call.usage)
                try:
                    result = await target(*call.args, **call.kwargs)
                except BaseException as exc:
                    call.failed(exc, started)
                    raise
                finally:
                    _usage.reset(token)
                return call.finished(result, started)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(target)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            recorder = current()
            if recorder is None:
                return target(*args, **kwargs)
            call = step.prepare(recorder, args, kwargs)
            if call.decision.action in _ANSWERED:
                return call.answer()
            started = time.perf_counter()
            token = _usage.set(call.usage)
            try:
                result = target(*call.args, **call.kwargs)
            except BaseException as exc:
                call.failed(exc, started)
                raise
            finally:
                _usage.reset(token)
            return call.finished(result, started)

        return wrapper  # type: ignore[return-value]

    return decorate(func) if func is not None and own is None else decorate  # type: ignore[arg-type]


_usage: contextvars.ContextVar[FrameMetadata | None] = contextvars.ContextVar("vcr_step_usage", default=None)


def report_usage(
    *,
    model: str | None = None,
    tokens_input: int | None = None,
    tokens_output: int | None = None,
    cost_usd: float | None = None,
    **custom: Any,
) -> bool:
    """Attach model, token and cost figures (and any custom facts) to the step now running.

    Called from inside a ``@vcr_record`` function, e.g. after an LLM call, so the step's frame
    carries what it cost. Returns False, doing nothing, outside a recorded step.
    """
    usage = _usage.get()
    if usage is None:
        return False
    if model is not None:
        usage.model = model
    if tokens_input is not None:
        usage.tokens_input = (usage.tokens_input or 0) + tokens_input
    if tokens_output is not None:
        usage.tokens_output = (usage.tokens_output or 0) + tokens_output
    if tokens_input is not None or tokens_output is not None:
        usage.tokens_used = (usage.tokens_input or 0) + (usage.tokens_output or 0)
    if cost_usd is not None:
        usage.cost_usd = (usage.cost_usd or 0.0) + cost_usd
    usage.custom.update(custom)
    return True


_ANSWERED = (Action.RECORDED, Action.REPLAY, Action.MOCK, Action.SKIP, Action.EDITED_OUTPUT)


class _Step:
    """What the decorator knows about one function: its name, kind and signature."""

    def __init__(self, func: Callable[..., Any], node_name: str, frame_type: FrameType, identity: str = "") -> None:
        self.func = func
        self.node_name = node_name
        self.frame_type = frame_type
        self.identity = identity
        try:
            self.signature: inspect.Signature | None = inspect.signature(func)
        except (TypeError, ValueError):  # builtins without a signature
            self.signature = None

    def prepare(self, recorder: VCRRecorder, args: tuple[Any, ...], kwargs: dict[str, Any]) -> _Call:
        state, style, passthrough = self._capture(args, kwargs)
        plan = active_plan()
        if plan is not None:
            decision = plan.decide(self.node_name, state)
        else:
            decision = golden_decision(self.node_name, state, self.identity) or Decision(Action.LIVE)
        call = _Call(self, recorder, state, style, decision, args, kwargs)
        if plan is None and style == "state" and _usage.get() is None:
            call.outermost_at = _frame_count(recorder)  # no step around it: maybe the agent itself
        if decision.action is Action.LIVE and decision.state is not None:
            call.args, call.kwargs = self._rebuild(decision.state, style, passthrough, args, kwargs)
            call.state = to_jsonable(decision.state)
        return call

    def _capture(
        self, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], CallStyle, dict[str, Any]]:
        """The call's input as a state dict, how it was shaped, and the arguments kept out of it."""
        if self.signature is None:
            return to_jsonable({"args": list(args), **kwargs}), "kwargs", {}
        try:
            bound = self.signature.bind(*args, **kwargs)
        except TypeError:
            return to_jsonable({"args": list(args), **kwargs}), "kwargs", {}
        bound.apply_defaults()
        passthrough = {k: v for k, v in bound.arguments.items() if k in _PASSTHROUGH}
        named = {k: v for k, v in bound.arguments.items() if k not in _PASSTHROUGH}
        if len(named) == 1:
            only = next(iter(named.values()))
            if isinstance(only, Mapping):
                return to_jsonable(dict(only)), "state", passthrough
        return to_jsonable(named), "kwargs", passthrough

    def _rebuild(
        self,
        state: dict[str, Any],
        style: CallStyle,
        passthrough: dict[str, Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Arguments for calling the function with an edited state instead of the original one."""
        value = decode_value(state)
        if self.signature is None:
            return args, kwargs
        params = [p for p in self.signature.parameters.values() if p.name not in _PASSTHROUGH]
        if style == "state" and params:
            values = {**passthrough, params[0].name: value}
        else:
            values = {**passthrough, **value}
        positional: list[Any] = []
        named: dict[str, Any] = {}
        for param in self.signature.parameters.values():
            if param.name not in values:
                continue
            if param.kind is inspect.Parameter.POSITIONAL_ONLY:
                positional.append(values[param.name])
            elif param.kind is inspect.Parameter.VAR_POSITIONAL:
                positional.extend(values[param.name])
            elif param.kind is inspect.Parameter.VAR_KEYWORD:
                named.update(values[param.name])
            else:
                named[param.name] = values[param.name]
        return tuple(positional), named


class _Call:
    """One call in flight: records its frame when it returns, fails, or is answered."""

    def __init__(
        self,
        step: _Step,
        recorder: VCRRecorder,
        state: dict[str, Any],
        style: CallStyle,
        decision: Decision,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        self.step = step
        self.recorder = recorder
        self.state = state
        self.style = style
        self.decision = decision
        self.args = args
        self.kwargs = kwargs
        self.usage = FrameMetadata()
        self.outermost_at: int | None = None  # frames in the session when an outermost call began

    def answer(self) -> Any:
        """A call the plan answers without running the function."""
        decision = self.decision
        output = decision.output if decision.output is not None else {}
        if decision.action is not Action.RECORDED:  # the fork already holds the prefix
            self._record(output, decision.source, 0.0, decision.custom)
        return _return_value(output, decision.custom)

    def finished(self, result: Any, started: float) -> Any:
        output, shape = _output_state(result)
        custom = {"returns": shape} if shape == "value" else {}
        if self.decision.source:
            custom["source"] = self.decision.source
        if self.outermost_at is not None and _frame_count(self.recorder) > self.outermost_at:
            self._name_entry_point()
        self._record(output, None, (time.perf_counter() - started) * 1000.0, custom)
        return result

    def _name_entry_point(self) -> None:
        """An outermost call that ran other steps is the agent: the session names it, once.

        ``resume`` without an agent then runs it again (with what it was called with), as the
        debugger does once the user confirms; the name reaches the file with the next
        ``save()``. A function that cannot be imported by its name is not named.
        """
        session = self.recorder.session
        if session is None or ENTRY_POINT in session.metadata:
            return
        name = importable_name(self.step.func)
        if name is not None:
            session.metadata[ENTRY_POINT] = name
            session.metadata.setdefault(AGENT_INPUT, self.state)

    def failed(self, exc: BaseException, started: float) -> None:
        if self.outermost_at is not None and _frame_count(self.recorder) > self.outermost_at:
            self._name_entry_point()  # a failed run is the one most worth resuming
        if already_recorded(exc):
            return  # an inner step already recorded this error
        self.recorder.record_error(
            self.step.node_name, self.state, exc, (time.perf_counter() - started) * 1000.0, model=self.usage.model
        )
        mark_recorded(exc)

    def _record(self, output: dict[str, Any], source: str | None, latency_ms: float, custom: dict[str, Any]) -> None:
        metadata = self.usage
        metadata.custom = {**metadata.custom, **custom, CALL_KEY: self.style}
        if self.step.identity:
            metadata.custom[IDENTITY_KEY] = self.step.identity
        if source:
            metadata.custom["source"] = source
        metadata.latency_ms = latency_ms
        self.recorder.record_step(
            self.step.node_name, self.state, output, metadata=metadata, frame_type=self.step.frame_type
        )


def _frame_count(recorder: VCRRecorder) -> int:
    session = recorder.session
    return session.frame_count if session is not None else 0


def _output_state(result: Any) -> tuple[dict[str, Any], str]:
    if isinstance(result, Mapping):
        return to_jsonable(dict(result)), "state"
    return {"return": to_jsonable(result)}, "value"


def _return_value(output: dict[str, Any], custom: dict[str, Any]) -> Any:
    """What the function would have returned, rebuilt from a recorded output state."""
    if custom.get("returns") == "value" and "return" in output:
        return decode_value(output["return"])
    return decode_value(output)
