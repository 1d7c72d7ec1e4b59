"""A framework run's frames, built on the run's own thread and handed to the OS a stretch at a time.

What a frame costs a framework run is mostly not its bytes: on a virtual machine each system
call, and each hand-over of the interpreter lock to another thread, costs the agent more than
building the frame, in the call itself and in the caches and branch history it disturbs
afterwards. So the frames are built where the run sees their events, from values still hot in
the cache, with no other thread involved; and their lines are written together: in an asyncio
run, held by one ``lines_together`` block for the whole run and written as soon as the agent
awaits anything (the loop's next turn, before it waits on a model or a tool); in a thread, when
the agent starts its next step after one it finished (a model call, a tool call, a task) and when
a task ends, as one ``record_ready_frames`` call; and when the run ends. A crash
therefore loses at most the frames of the step the agent was in the middle of, as a direct
``record_step`` does: what the agent had finished is on disk before it waits for the next answer.

A failed write (a full disk) does not stop the agent: the run records nothing more and raises
that error when it ends, so a run never reports success for frames it lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from recorder.writer import VCRRecorder


class RunLines:
    """One run's frames: recorded into a block held open for the run, written a stretch at a time."""

    def __init__(self, recorder: VCRRecorder) -> None:
        self.recorder = recorder
        self.error: BaseException | None = None
        self._block: Any = None
        self._scheduled: asyncio.Handle | None = None
        self._later: list[tuple[Callable[..., object], tuple[Any, ...]]] = []

    def open(self) -> None:
        """Hold every line recorded from now on (by any thread) until a write or ``close``."""
        self._block = self.recorder.lines_together()
        self._block.__enter__()

    def record(self, build: Callable[..., object], *args: Any) -> None:
        """Run ``build(*args)``, which records a frame; a failure is kept for ``close`` to raise."""
        if self.error is not None:
            return  # after a failed write the run records nothing more, rather than leave gaps
        try:
            build(*args)
        except Exception as exc:
            self.error = exc

    def later(self, build: Callable[..., object], *args: Any) -> None:
        """``record(build, *args)`` at the next write, with the frames queued since the last one.

        For values the framework no longer changes: building a stretch of frames one after the
        other costs a fraction of building each alone, in between the framework's own work,
        when the recorder's code and data have left the cache.
        """
        self._later.append((build, args))

    def _build_later(self) -> None:
        later, self._later = self._later, []
        for build, args in later:
            self.record(build, *args)

    def due(self) -> None:
        """Make sure what is held is written before the agent waits on anything.

        In an asyncio run the loop writes it at its next turn, which comes as soon as the agent
        awaits a model or a tool, so the frames of a burst share one write; without a loop it is
        written now.
        """
        if self._scheduled is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.write()
            return
        self._scheduled = loop.call_soon(self._scheduled_write)

    def write(self) -> None:
        """Build the frames queued by ``later`` and hand every line held so far to the OS, in one call."""
        if self._later:
            self._build_later()
        try:
            self.recorder.write_held()
        except Exception as exc:
            if self.error is None:
                self.error = exc

    def _scheduled_write(self) -> None:
        self._scheduled = None
        self.write()

    def close(self) -> None:
        """The end of the run: every frame written, or the first error a write met raised."""
        if self._scheduled is not None:
            self._scheduled.cancel()
            self._scheduled = None
        if self._later:
            self._build_later()
        block, self._block = self._block, None
        if block is not None:
            try:
                block.__exit__(None, None, None)
            except Exception as exc:
                if self.error is None:
                    self.error = exc
        error, self.error = self.error, None
        if error is not None:
            raise error
