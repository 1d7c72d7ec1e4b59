"""Frames a framework run hands to a thread of its own, to be built, encoded and written off the agent's path.

An integration sees a framework's events while the agent runs; turning each into a frame (its
metadata, the JSON line, the write) took the agent's thread several times what the frame's bytes
cost, most of it paid cold, in between the framework's own work. Here the run only queues what
it saw, values the framework no longer changes (its finished events, a message every participant
has been handed); the process's writer thread takes whatever has queued up, writes it in one
``lines_together`` block per recorder, in the order it was queued, and goes back to waiting. So the agent's thread pays a list append per
frame, and the frames still reach the OS milliseconds later, not at the end of the run.

``close()`` (at the end of the run) returns once every queued frame is written, and raises the
first error a write met (a full disk), so a run never reports success for frames it lost.
``drain()`` does the same mid-run, for a caller about to write into the recorder directly, so its
frame does not overtake the run's queued ones.
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Callable
from typing import Any

from recorder.writer import VCRRecorder

# The run in progress in this context, for a step recorded directly while it runs (``@vcr_task``).
current_frames: contextvars.ContextVar[DeferredFrames | None] = contextvars.ContextVar(
    "vcr_deferred_frames", default=None
)


def drain_current() -> None:
    """Write the frames the run in progress here has queued, before a frame recorded directly."""
    frames = current_frames.get()
    if frames is not None:
        frames.drain()


BATCH_WINDOW_S = 0.01  # how long the writer lets frames gather once the first arrives


class _Writer:
    """The process's one writer thread, started on first use and kept for every later run.

    It is not woken for every frame: waking a thread costs the agent's thread a system call and
    a hand-over of the interpreter lock each time, and a frame built alone is built cold. Once
    the first frame of a batch is queued, the writer lets the rest gather for ``BATCH_WINDOW_S``
    (or until a drain or the end of a run asks for them) and writes them together, each
    recorder's in one ``lines_together`` block; so a frame reaches the OS at most that much later.
    """

    def __init__(self) -> None:
        self._reset()
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._reset)  # a fork child has no writer thread yet

    def _reset(self) -> None:
        self.items: list[Any] = []
        self.lock = threading.Lock()
        self.wake = threading.Event()  # something is queued
        self.hurry = threading.Event()  # a drain waits: no gathering
        self.thread: threading.Thread | None = None

    def put(self, item: Any, *, urgent: bool = False) -> None:
        with self.lock:
            self.items.append(item)
            thread = self.thread
            if thread is None or not thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="vcr-frames", daemon=True)
                self.thread.start()
        if urgent:
            self.hurry.set()
        if not self.wake.is_set():
            self.wake.set()

    def _run(self) -> None:
        while True:
            self.wake.wait()
            self.hurry.wait(BATCH_WINDOW_S)  # let a batch gather, unless someone waits for it
            self.wake.clear()
            self.hurry.clear()
            with self.lock:
                taken, self.items = self.items, []
            _write_batch(taken)


def _write_batch(items: list[Any]) -> None:
    """Perform the queued writes in order, each recorder's inside one block; then wake the drains."""
    woken: list[threading.Event] = []
    block: Any = None
    recorder: VCRRecorder | None = None
    try:
        for item in items:
            if isinstance(item, threading.Event):
                woken.append(item)
                continue
            frames, write, args = item
            if frames.error is not None:
                continue  # after a failed write, that run's later frames are dropped, not reordered
            if frames.recorder is not recorder:
                _end_block(frames, block)
                recorder = frames.recorder
                block = recorder.lines_together()
                block.__enter__()
                owner = frames
            try:
                write(*args)
            except BaseException as exc:  # handed to the run's own thread by drain/close
                frames.error = exc
        if block is not None:
            _end_block(owner, block)
    finally:
        for event in woken:
            event.set()


def _end_block(frames: DeferredFrames, block: Any) -> None:
    if block is None:
        return
    try:
        block.__exit__(None, None, None)
    except BaseException as exc:  # the block's one write failed
        if frames.error is None:
            frames.error = exc


_writer = _Writer()


class DeferredFrames:
    """One run's frame writes, performed in order by the process's writer thread."""

    def __init__(self, recorder: VCRRecorder) -> None:
        self.recorder = recorder
        self.error: BaseException | None = None
        self._queued = False

    def put(self, write: Callable[..., object], *args: Any) -> None:
        """Queue ``write(*args)``; it runs on the writer thread after everything queued before it."""
        self._queued = True
        _writer.put((self, write, args))

    def drain(self) -> None:
        """Return once everything queued so far is written; raise the first error a write met."""
        if self._queued:
            done = threading.Event()
            _writer.put(done, urgent=True)
            done.wait()
        self._raise()

    def close(self) -> None:
        """The end of the run: every frame it queued written, or the first error a write met raised."""
        self.drain()
        self._queued = False

    def _raise(self) -> None:
        error, self.error = self.error, None
        if error is not None:
            raise error
