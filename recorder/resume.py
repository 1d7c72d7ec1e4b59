"""Resuming a recorded run from one of its frames, with an edited state, into a fork.

The parent recording is only read. The fork gets the frames before the fork point, a ``fork:``
checkpoint holding the edited state, and then the frames of the resumed run, each marked in
``metadata.custom["source"]``: ``live`` (the step ran), ``replayed`` (REPLAY answered it from the
recording: no call, zero tokens), ``mocked``, ``skipped`` or ``edited``. If the agent raises, the
fork keeps every frame recorded before the error plus an error frame, and the result says so.

A resume never reports a success it did not have: when the agent finishes without the edited
state having reached it (it never took the step at the fork point, or took no recorded step at
all), the result has ``succeeded=False``, ``edit_applied=False`` and a ``reason`` in words. What
the agent is called with depends on its shape (see ``recorder.resume_agent``): a plain callable
gets the state at the fork point, an agent of recorded steps the run's input, an object with
``.invoke`` is run through it.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recorder.encoding import decode_value
from recorder.error_marks import already_recorded, mark_recorded
from recorder.fork_totals import AGENT_FAILED_NODE, CANCELLED_NODE, ForkTotals
from recorder.forking import fork_recording, starting_state
from recorder.models import FrameMetadata
from recorder.reader import VCRReader
from recorder.resume_agent import (
    CallWith,
    as_async_callable,
    as_sync_callable,
    bound_invocable,
    calls_with_state,
    ensure_runnable,
    is_invocable,
    thread_config,
)
from recorder.resume_plan import PlanCounts, ResumeCancelled, ResumePlan, plan_active, plan_paused
from recorder.vocabulary import (
    AGENT_INPUT,
    ENTRY_POINT,
    RESUME_MODE,
    RESUMED_FROM_FRAME,
    SOURCE,
    FrameSource,
    ResumeMode,
)
from recorder.writer import VCRRecorder

_UNSET: Any = object()


@dataclass(slots=True)
class ResumeConfig:
    """Where to resume from, with what state, and how the steps after it run.

    ``state`` replaces the frame's state wholesale (what an editor hands back); ``state_overrides``
    are merged over it at top level. ``edit_output`` edits the frame's output instead of its input:
    the step itself is then not run again. ``agent_input`` is what the agent is called with; by
    default the session's ``metadata["agent_input"]`` when recorded, else the first frame's input.
    ``call_with`` says how the agent is called: ``"input"`` (the run's input, its recorded steps
    answered up to the fork point), ``"state"`` (the state at the fork point, edited: a plain
    callable with no recorded steps) or ``"auto"`` (the recording's frames tell which).
    """

    from_frame: int
    state_overrides: dict[str, Any] = field(default_factory=dict)
    mode: ResumeMode = ResumeMode.FORK
    skip_nodes: list[str] = field(default_factory=list)
    inject_mocks: dict[str, Any] = field(default_factory=dict)
    new_session_id: str | None = None
    state: dict[str, Any] | None = None
    edit_output: bool = False
    agent_input: Any = _UNSET
    call_with: CallWith = "auto"


@dataclass(slots=True)
class ResumeResult:
    """How a resume ended and where its fork is."""

    fork_path: Path
    session_id: str
    succeeded: bool
    output: Any = None
    error: str | None = None
    error_type: str | None = None
    cancelled: bool = False
    counts: PlanCounts = field(default_factory=PlanCounts)
    edit_applied: bool = True  # the (edited) state at the fork point reached the agent
    reason: str | None = None  # why it did not, in words, when ``edit_applied`` is False
    totals: ForkTotals = field(default_factory=ForkTotals)  # the fork's frames, counted as written

    @property
    def agent_calls(self) -> int:
        """Steps that actually ran (the rest came from the recording, mocks or skips)."""
        return self.counts.live

    @property
    def frames(self) -> int:
        """Frames in the fork: the copied prefix, the fork point and the resumed run's."""
        return self.totals.frames

    @property
    def tokens_spent(self) -> int:
        """Tokens the resumed run's live steps used."""
        return self.totals.tokens_spent

    @property
    def tokens_saved(self) -> int:
        """Tokens the recorded steps cost when they ran, which answering them from the recording saved."""
        return self.totals.tokens_saved

    @property
    def cost_spent_usd(self) -> float:
        return self.totals.cost_spent_usd

    @property
    def cost_saved_usd(self) -> float:
        return self.totals.cost_saved_usd


class _Resume:
    """The parts shared by the sync and async entry points."""

    def __init__(
        self,
        reader: VCRReader,
        agent: object,
        config: ResumeConfig,
        output_dir: str | os.PathLike[str] | None,
        cancel: threading.Event | None,
        on_fork: Callable[[VCRRecorder], None] | None,
    ) -> None:
        frame = reader.frame(config.from_frame)
        edited = starting_state(frame, config.state, config.state_overrides, edit_output=config.edit_output)
        mode = ResumeMode(config.mode)
        self.with_state = calls_with_state(reader, config.from_frame, config.call_with, agent)
        self.agent_input = edited if self.with_state else _agent_input(reader, config)
        self.node_name = frame.node_name
        self.totals = ForkTotals()
        self.recorder = fork_recording(
            reader,
            config.from_frame,
            new_session_id=config.new_session_id,
            state=edited,
            output_dir=output_dir,
            edit_output=config.edit_output,
            metadata={RESUME_MODE: mode.value},
            tally=self.totals,
        )
        if on_fork is not None:
            on_fork(self.recorder)
        self.plan = ResumePlan(
            reader,
            config.from_frame,
            mode,
            edited_state=edited,
            edit_output=config.edit_output,
            skip_nodes=tuple(config.skip_nodes),
            mocks=config.inject_mocks,
            cancel=cancel,
        )
        self.plan.one_invocation = is_invocable(agent) or bound_invocable(agent) is not None
        session = self.recorder.session
        assert session is not None
        self.thread = thread_config(agent, session.session_id)
        self.step_name = _agent_name(agent)
        self.started = 0.0

    def begin_whole(self) -> None:
        """A plain callable is about to run from the fork point: the plan has reached it."""
        self.plan.forked = True
        self.plan.counts.live += 1
        self.started = time.perf_counter()

    def record_whole(self, output: Any) -> None:
        """What a plain callable returned, as the step that ran from the fork point."""
        self.recorder.record_step(
            self.step_name,
            self.plan.edited_state,
            output,
            metadata=FrameMetadata(
                latency_ms=(time.perf_counter() - self.started) * 1000.0,
                custom={SOURCE: FrameSource.LIVE.value, RESUMED_FROM_FRAME: self.plan.fork_at},
            ),
        )

    def record_whole_failure(self, error: BaseException) -> None:
        latency = (time.perf_counter() - self.started) * 1000.0
        self.recorder.record_error(self.step_name, self.plan.edited_state, error, latency)
        mark_recorded(error)

    def finish(self, output: Any = None, error: BaseException | None = None) -> ResumeResult:
        recorder = self.recorder
        session = recorder.session
        assert session is not None and recorder.path is not None
        cancelled = isinstance(error, ResumeCancelled)
        if error is not None and not already_recorded(error):
            node = CANCELLED_NODE if cancelled else AGENT_FAILED_NODE
            recorder.record_error(node, {RESUMED_FROM_FRAME: self.plan.fork_at}, error)
        recorder.close()
        reason = self.plan.missed if self.plan.forked else self._not_reached(error)
        failed = error is not None or reason is not None
        message = None if error is None else (str(error) or type(error).__name__)
        return ResumeResult(
            fork_path=recorder.path,
            session_id=session.session_id,
            succeeded=not failed,
            output=output,
            error=message if error is not None else reason,
            error_type=None if error is None else type(error).__name__,
            cancelled=cancelled,
            counts=self.plan.counts,
            edit_applied=reason is None,
            reason=reason,
            totals=self.totals,
        )

    def _not_reached(self, error: BaseException | None) -> str:
        """Why the state at the fork point never reached the agent, in one sentence."""
        at = f"frame {self.plan.fork_at} ({self.node_name})"
        if error is not None:
            return f"the agent stopped before it reached {at}"
        taken = self.plan.steps_taken
        if taken == 0:
            return (
                f"the agent took no recorded step, so the state of {at} never reached it: "
                "record its steps (@vcr_record, a recorded graph), or pass call_with='state' to "
                "call it with that state"
            )
        steps = "1 recorded step" if taken == 1 else f"{taken} recorded steps"
        return f"the agent finished after {steps} without reaching {at}, so the edit never reached it"


def resume(
    source: str | os.PathLike[str] | VCRReader,
    agent: object = None,
    config: ResumeConfig | None = None,
    *,
    output_dir: str | os.PathLike[str] | None = None,
    cancel: threading.Event | None = None,
    on_fork: Callable[[VCRRecorder], None] | None = None,
) -> ResumeResult:
    """Fork ``source`` at ``config.from_frame`` and run ``agent`` again into the fork.

    ``agent`` is a callable or an object with ``.invoke`` / ``.ainvoke`` (a compiled graph); when
    None, the recording's ``entry_point`` is imported (module form only), as the caller asked to
    run the agent that made it. ``config`` defaults to frame 0 with no edit. ``cancel`` stops the
    run at the agent's next step; ``on_fork`` is called with the fork's recorder as soon as its
    file exists (a viewer can start following it). An async agent is run with ``asyncio.run``;
    from inside a running loop use ``aresume``.
    """
    with _resuming(source, agent, config, output_dir, cancel, on_fork) as (run, target):
        call = as_sync_callable(target, run.thread)
        try:
            output = _call(run, call)
            if inspect.isawaitable(output):
                output = asyncio.run(_awaited(output))
            if run.with_state:
                run.record_whole(output)
        except (Exception, ResumeCancelled) as exc:
            if run.with_state:
                run.record_whole_failure(exc)
            return run.finish(error=exc)
    return run.finish(output=output)


async def aresume(
    source: str | os.PathLike[str] | VCRReader,
    agent: object = None,
    config: ResumeConfig | None = None,
    *,
    output_dir: str | os.PathLike[str] | None = None,
    cancel: threading.Event | None = None,
    on_fork: Callable[[VCRRecorder], None] | None = None,
) -> ResumeResult:
    """``resume`` for an async agent, awaited on the caller's event loop."""
    with _resuming(source, agent, config, output_dir, cancel, on_fork) as (run, target):
        call = as_async_callable(target, run.thread)
        try:
            output = _call(run, call)
            if inspect.isawaitable(output):
                output = await output
            if run.with_state:
                run.record_whole(output)
        except (Exception, ResumeCancelled) as exc:
            if run.with_state:
                run.record_whole_failure(exc)
            return run.finish(error=exc)
    return run.finish(output=output)


def _call(run: _Resume, call: Callable[[Any], Any]) -> Any:
    value = decode_value(run.agent_input)
    if not run.with_state:
        return call(value)
    run.begin_whole()
    # A plain callable starts at the fork point: steps inside it record live, not matched.
    with plan_paused():
        return call(value)


@contextmanager
def _resuming(
    source: str | os.PathLike[str] | VCRReader,
    agent: object,
    config: ResumeConfig | None,
    output_dir: str | os.PathLike[str] | None,
    cancel: threading.Event | None,
    on_fork: Callable[[VCRRecorder], None] | None,
) -> Iterator[tuple[_Resume, object]]:
    """The fork open, its recorder and plan active, and the reader closed afterwards if ours."""
    reader, owned = _reader_for(source)
    try:
        target = agent if agent is not None else recorded_agent(reader)
        ensure_runnable(target)
        run = _Resume(reader, target, config or ResumeConfig(from_frame=0), output_dir, cancel, on_fork)
        with run.recorder, plan_active(run.plan):
            yield run, target
    finally:
        if owned:
            reader.close()


def recorded_agent(reader: VCRReader) -> Callable[..., Any]:
    """The agent the recording names (``metadata["entry_point"]``, ``module:callable`` only), imported.

    Only called when the caller asked to resume without naming an agent: importing runs code.
    A file path is never accepted from a recording.
    """
    from recorder.entry_points import load_entry_point

    named = reader.session.metadata.get(ENTRY_POINT)
    if not isinstance(named, str) or not named:
        raise ValueError(
            "no agent to resume with: pass one (resume(path, agent, config)), or record the session "
            f"with metadata {{{ENTRY_POINT!r}: 'module:callable'}}"
        )
    return load_entry_point(named, search_path=os.getcwd())


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


def _reader_for(source: str | os.PathLike[str] | VCRReader) -> tuple[VCRReader, bool]:
    if isinstance(source, VCRReader):
        return source, False
    return VCRReader(source), True


def _agent_name(agent: object) -> str:
    """The node name of the step a plain callable's run is recorded as."""
    name = getattr(agent, "__name__", None) or type(agent).__name__
    return name if isinstance(name, str) and name != "<lambda>" else "agent"


def _agent_input(reader: VCRReader, config: ResumeConfig) -> Any:
    if config.agent_input is not _UNSET:
        return config.agent_input
    recorded = reader.session.metadata.get(AGENT_INPUT, _UNSET)
    if recorded is not _UNSET:
        return recorded
    if len(reader) == 0:
        raise ValueError("the recording has no frames to take the agent's input from")
    return reader.frame(0).input_state
