"""Frames a framework run hands to a thread of its own, to be built, encoded and written off the agent's path.

An integration sees a framework's events while the agent runs; turning each into a frame (its
metadata, the JSON line, the write) took the agent's thread several times what the frame's bytes
cost, most of it paid cold, in between the framework's own work. Here the run only queues what
it saw, values the framework no longer changes (its finished events, a message already encoded);
a writer thread takes whatever has queued up, writes it in one ``lines_together`` block, in the
order it was queued, and goes back to waiting. So the agent's thread pays a list append per
frame, and the frames still reach the OS milliseconds later, not at the end of the run.

``close()`` (at the end of the run) returns once every queued frame is written, and raises the
first error a write met (a full disk), so a run never reports success for frames it lost.
``drain()`` does the same mid-run, for a caller about to write into the recorder directly, so its
frame does not overtake the run's queued ones.
"""

from __future__ import annotations

import contextvars
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


class DeferredFrames:
    """One run's queue of frame writes and the thread that performs them, in order.

    The writer is not woken for every frame: waking a thread costs the agent's thread a system
    call and a hand-over of the interpreter lock each time, and a frame built alone is built
    cold. Once the first frame of a batch is queued, the writer lets the rest gather for
    ``BATCH_WINDOW_S`` (or until a drain or the end of the run asks for them) and writes them
    together, so a frame reaches the OS at most that much later.
    """

    def __init__(self, recorder: VCRRecorder) -> None:
        self.recorder = recorder
        self._items: list[Any] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()  # something is queued
        self._hurry = threading.Event()  # a drain or the end of the run waits: no gathering
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def put(self, write: Callable[..., object], *args: Any) -> None:
        """Queue ``write(*args)``; it runs on the writer thread after everything queued before it."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="vcr-frames", daemon=True)
            self._thread.start()
        with self._lock:
            self._items.append((write, args))
        if not self._wake.is_set():
            self._wake.set()

    def drain(self) -> None:
        """Return once everything queued so far is written; raise the first error a write met."""
        if self._thread is not None:
            done = threading.Event()
            self._urgent(done)
            done.wait()
        self._raise()

    def close(self) -> None:
        """Write what is queued and stop the thread; raise the first error a write met."""
        thread = self._thread
        if thread is not None:
            self._urgent(None)
            thread.join()
            self._thread = None
        self._raise()

    def _urgent(self, marker: threading.Event | None) -> None:
        with self._lock:
            self._items.append(marker)
        self._hurry.set()
        self._wake.set()

    def _raise(self) -> None:
        error, self._error = self._error, None
        if error is not None:
            raise error

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._hurry.wait(BATCH_WINDOW_S)  # let a batch gather, unless someone waits for it
            self._wake.clear()
            self._hurry.clear()
            with self._lock:
                taken, self._items = self._items, []
            if self._write(taken):
                return

    def _write(self, items: list[Any]) -> bool:
        """Perform the queued writes; wake the drains among them; say whether the run is over."""
        stop = False
        woken: list[threading.Event] = []
        try:
            with self.recorder.lines_together():
                for item in items:
                    if item is None:
                        stop = True
                    elif isinstance(item, threading.Event):
                        woken.append(item)
                    elif self._error is None:  # after a failed write, the rest are dropped, not reordered
                        write, args = item
                        try:
                            write(*args)
                        except BaseException as exc:  # handed to the agent's thread by drain/close
                            self._error = exc
        except BaseException as exc:  # the block's one write failed
            if self._error is None:
                self._error = exc
        for event in woken:
            event.set()
        return stop
