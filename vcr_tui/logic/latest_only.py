"""Run only the newest of a stream of jobs, in a bounded number of worker threads.

Holding ``j`` on a recording with big states asks for a diff per key press. Thread workers cannot
be interrupted, so cancelled diffs would pile up and fill the worker pool. Instead the screen
submits jobs here: a job replaces the one still waiting, and at most ``max_running`` workers
drain them, so the last request is always the one answered. Two workers rather than one let a
fresh diff start while a slow one (a huge list that grew) is still finishing for a frame the
cursor has already left.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

Job = TypeVar("Job")


class LatestOnly(Generic[Job]):
    """A one-slot queue whose workers are started on demand by ``start_worker``."""

    def __init__(self, start_worker: Callable[[], object], max_running: int = 2) -> None:
        self._start_worker = start_worker
        self._max_running = max_running
        self._lock = threading.Lock()
        self._pending: Job | None = None
        self._running = 0

    def submit(self, job: Job) -> None:
        """Make ``job`` the next one to run, dropping any job still waiting."""
        with self._lock:
            self._pending = job
            if self._running >= self._max_running:
                return
            self._running += 1
        try:
            self._start_worker()
        except BaseException:
            with self._lock:
                self._running -= 1
            raise

    def drain(self, handle: Callable[[Job], None]) -> None:
        """Run in a worker: handle jobs until none is waiting."""
        while True:
            with self._lock:
                job = self._pending
                self._pending = None
                if job is None:
                    self._running -= 1
                    return
            try:
                handle(job)
            except Exception:  # a failed job must not stop the ones after it
                continue
