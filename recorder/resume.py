"""Resuming a recorded run from one of its frames, with an edited state, into a fork.

The parent recording is only read. The fork gets the frames before the fork point, a ``fork:``
checkpoint holding the edited state, and then the frames of the resumed run, each marked in
``metadata.custom["source"]``: ``live`` (the step ran), ``replayed`` (REPLAY answered it from the
recording: no call, zero tokens), ``mocked``, ``skipped`` or ``edited``. If the agent raises, the
fork keeps every frame recorded before the error plus an error frame, and the result says so.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recorder.encoding import decode_value
from recorder.forking import fork_recording, starting_state
from recorder.reader import VCRReader
from recorder.resume_plan import PlanCounts, ResumeCancelled, ResumeMode, ResumePlan, plan_active
from recorder.writer import VCRRecorder

_UNSET: Any = object()


@dataclass(slots=True)
class ResumeConfig:
    """Where to resume from, with what state, and how the steps after it run.

    ``state`` replaces the frame's state wholesale (what an editor hands back); ``state_overrides``
    are merged over it at top level. ``edit_output`` edits the frame's output instead of its input:
    the step itself is then not run again. ``agent_input`` is what the agent is called with; by
    default the session's ``metadata["agent_input"]`` when recorded, else the first frame's input.
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

    @property
    def agent_calls(self) -> int:
        """Steps that actually ran (the rest came from the recording, mocks or skips)."""
        return self.counts.live


class _Resume:
    """The parts shared by the sync and async entry points."""

    def __init__(
        self,
        reader: VCRReader,
        config: ResumeConfig,
        output_dir: str | os.PathLike[str] | None,
        cancel: threading.Event | None,
        on_fork: Callable[[VCRRecorder], None] | None,
    ) -> None:
        frame = reader.frame(config.from_frame)
        edited = starting_state(frame, config.state, config.state_overrides, edit_output=config.edit_output)
        mode = ResumeMode(config.mode)
        self.recorder = fork_recording(
            reader,
            config.from_frame,
            new_session_id=config.new_session_id,
            state=edited,
            output_dir=output_dir,
            edit_output=config.edit_output,
            metadata={"resume_mode": mode.value},
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
        self.agent_input = _agent_input(reader, config)

    def finish(self, output: Any = None, error: BaseException | None = None) -> ResumeResult:
        recorder = self.recorder
        session = recorder.session
        assert session is not None and recorder.path is not None
        cancelled = isinstance(error, ResumeCancelled)
        if error is not None and not getattr(error, "_vcr_recorded", False):
            node = "cancelled" if cancelled else "agent"
            recorder.record_error(node, {"resumed_from_frame": self.plan.fork_at}, error)
        recorder.close()
        return ResumeResult(
            fork_path=recorder.path,
            session_id=session.session_id,
            succeeded=error is None,
            output=output,
            error=None if error is None else (str(error) or type(error).__name__),
            error_type=None if error is None else type(error).__name__,
            cancelled=cancelled,
            counts=self.plan.counts,
        )


def resume(
    source: str | os.PathLike[str] | VCRReader,
    agent: Callable[[Any], Any],
    config: ResumeConfig,
    *,
    output_dir: str | os.PathLike[str] | None = None,
    cancel: threading.Event | None = None,
    on_fork: Callable[[VCRRecorder], None] | None = None,
) -> ResumeResult:
    """Fork ``source`` at ``config.from_frame`` and run ``agent`` again into the fork.

    ``cancel`` stops the run at the agent's next step; ``on_fork`` is called with the fork's
    recorder as soon as its file exists (a viewer can start following it). An async agent is run
    with ``asyncio.run``; from inside a running loop use ``aresume``.
    """
    with _resuming(source, config, output_dir, cancel, on_fork) as run:
        try:
            output = agent(decode_value(run.agent_input))
            if inspect.isawaitable(output):
                output = asyncio.run(_awaited(output))
        except (Exception, ResumeCancelled) as exc:
            return run.finish(error=exc)
    return run.finish(output=output)


async def aresume(
    source: str | os.PathLike[str] | VCRReader,
    agent: Callable[[Any], Any],
    config: ResumeConfig,
    *,
    output_dir: str | os.PathLike[str] | None = None,
    cancel: threading.Event | None = None,
    on_fork: Callable[[VCRRecorder], None] | None = None,
) -> ResumeResult:
    """``resume`` for an async agent, awaited on the caller's event loop."""
    with _resuming(source, config, output_dir, cancel, on_fork) as run:
        try:
            output = agent(decode_value(run.agent_input))
            if inspect.isawaitable(output):
                output = await output
        except (Exception, ResumeCancelled) as exc:
            return run.finish(error=exc)
    return run.finish(output=output)


@contextmanager
def _resuming(
    source: str | os.PathLike[str] | VCRReader,
    config: ResumeConfig,
    output_dir: str | os.PathLike[str] | None,
    cancel: threading.Event | None,
    on_fork: Callable[[VCRRecorder], None] | None,
) -> Iterator[_Resume]:
    """The fork open, its recorder and plan active, and the reader closed afterwards if ours."""
    reader, owned = _reader_for(source)
    try:
        run = _Resume(reader, config, output_dir, cancel, on_fork)
        with run.recorder, plan_active(run.plan):
            yield run
    finally:
        if owned:
            reader.close()


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


def _reader_for(source: str | os.PathLike[str] | VCRReader) -> tuple[VCRReader, bool]:
    if isinstance(source, VCRReader):
        return source, False
    return VCRReader(source), True


def _agent_input(reader: VCRReader, config: ResumeConfig) -> Any:
    if config.agent_input is not _UNSET:
        return config.agent_input
    recorded = reader.session.metadata.get("agent_input", _UNSET)
    if recorded is not _UNSET:
        return recorded
    if len(reader) == 0:
        raise ValueError("the recording has no frames to take the agent's input from")
    return reader.frame(0).input_state
