"""What a resume calls, and with what: the agent's shape, worked out before it runs.

A resume can be handed three kinds of agent:

- an agent whose steps are recorded (``@vcr_record`` functions, or the nodes of a recorded
  LangGraph graph): it is called again with the run's input and its steps are answered from the
  recording up to the fork point, where the edit goes in;
- a plain callable that takes a state and returns one (no recorded steps inside): calling it
  with the run's input would never let the edit reach it, so it is called once with the state at
  the fork point, edited, and what it returns is recorded as the resumed step;
- any object with ``.invoke`` / ``.ainvoke`` (a compiled graph, a LangChain runnable): it is
  called through those, and a graph with a checkpointer is given a thread of the fork's own, so
  the caller does not need to say one and the recorded thread is never touched.

Which of the first two a callable is cannot be seen in the callable itself; the recording says
it: frames of recorded steps carry the decorator's call mark or a framework integration's facts. The caller
can always say it (``ResumeConfig.call_with``).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any, Literal

from recorder.decorators import CALL_KEY
from recorder.graph_facts import FACTS_KEY
from recorder.models import Frame, FrameType
from recorder.reader import VCRReader
from recorder.vocabulary import AUTOGEN_FACTS, CREWAI_FACTS

CallWith = Literal["auto", "input", "state"]

# What a frame of a step a resumed agent runs again carries: the decorator's call mark, or the facts
# a framework integration records (a LangGraph node, a CrewAI task or call, an AutoGen message).
_STEP_MARKS = (CALL_KEY, FACTS_KEY, CREWAI_FACTS, AUTOGEN_FACTS)
_LOOK_AROUND = 64  # frames looked at on each side of the fork point to tell the agent's shape


def calls_with_state(reader: VCRReader, from_frame: int, call_with: CallWith, agent: object) -> bool:
    """Whether the agent is handed the state at the fork point (True) or the run's input (False)."""
    if call_with == "state":
        return True
    if call_with == "input" or is_invocable(agent) or bound_invocable(agent) is not None:
        return False
    if call_with != "auto":
        raise ValueError(f"call_with must be 'auto', 'input' or 'state', not {call_with!r}")
    return not recorded_by_steps(reader, from_frame)


def recorded_by_steps(reader: VCRReader, from_frame: int) -> bool:
    """Whether the frames around ``from_frame`` were recorded by steps a resumed agent calls again.

    The nearest frame that says anything decides: a step's frame carries the decorator's call
    mark or a graph node's facts; a frame written by ``record_step`` directly carries neither.
    Error frames and checkpoints (a fork's start, an interrupt) say nothing either way.
    """
    count = len(reader)
    order = [from_frame]
    for distance in range(1, _LOOK_AROUND + 1):
        order.extend(index for index in (from_frame - distance, from_frame + distance) if 0 <= index < count)
    for index in order:
        frame = reader.frame(index)
        if _says_nothing(frame):
            continue
        custom = frame.metadata.custom
        return any(mark in custom for mark in _STEP_MARKS)
    return False


def _says_nothing(frame: Frame) -> bool:
    return frame.frame_type in (FrameType.ERROR, FrameType.CHECKPOINT) or frame.node_name.startswith("fork:")


def is_invocable(agent: object) -> bool:
    """An object run through ``.invoke`` / ``.ainvoke`` rather than by calling it (a compiled graph)."""
    return callable(getattr(agent, "invoke", None)) or callable(getattr(agent, "ainvoke", None))


def bound_invocable(agent: object) -> object | None:
    """The object behind ``app.invoke`` / ``app.ainvoke`` (a bound method), else None."""
    owner = getattr(agent, "__self__", None)
    if owner is not None and getattr(agent, "__name__", None) in ("invoke", "ainvoke"):
        return owner  # type: ignore[no-any-return]
    return None


def as_sync_callable(agent: object, thread: dict[str, Any] | None) -> Callable[[Any], Any]:
    """One-argument callable for ``resume``: ``.invoke`` first, else ``.ainvoke`` run to completion."""
    invoke = getattr(agent, "invoke", None)
    if callable(invoke):
        return _with_config(invoke, thread)
    ainvoke = getattr(agent, "ainvoke", None)
    if callable(ainvoke):
        called = _with_config(ainvoke, thread)
        return lambda value: asyncio.run(_awaited(called(value)))
    return _with_config(_plain(agent), thread)


def as_async_callable(agent: object, thread: dict[str, Any] | None) -> Callable[[Any], Any]:
    """One-argument callable for ``aresume``: ``.ainvoke`` first, else ``.invoke``."""
    for name in ("ainvoke", "invoke"):
        method = getattr(agent, name, None)
        if callable(method):
            return _with_config(method, thread)
    return _with_config(_plain(agent), thread)


def thread_config(agent: object, session_id: str) -> dict[str, Any] | None:
    """A LangGraph config on the fork's own thread, for a graph with a checkpointer; else None.

    Such a graph refuses to run without a ``thread_id``; the fork's session id names a thread no
    other run uses, so what the resumed run checkpoints never mixes with the recorded thread.
    """
    graph = bound_invocable(agent) or agent
    if getattr(graph, "checkpointer", None) in (None, False):
        return None
    return {"configurable": {"thread_id": session_id}}


def ensure_runnable(agent: object) -> None:
    """Refuse, before any fork is written, an agent that can be neither called nor invoked."""
    if not callable(agent) and not is_invocable(agent):
        raise TypeError(
            f"cannot resume with a {type(agent).__name__}: pass a callable, or an object with .invoke or .ainvoke"
        )


def _plain(agent: object) -> Callable[..., Any]:
    ensure_runnable(agent)
    assert callable(agent)
    return agent


def _with_config(func: Callable[..., Any], thread: dict[str, Any] | None) -> Callable[[Any], Any]:
    """``func`` called with the value alone, or with the thread config when it takes one and has none."""
    if thread is None or not _takes_config(func):
        return func
    return lambda value: func(value, thread)


def _takes_config(func: Callable[..., Any]) -> bool:
    owner = bound_invocable(func)
    if owner is None:
        return False  # a caller's own function supplies its config itself
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False
    return "config" in params


async def _awaited(awaitable: Any) -> Any:
    return await awaitable
