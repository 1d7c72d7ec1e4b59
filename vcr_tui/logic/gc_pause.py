"""Pausing Python's cycle collector while a burst of long-lived objects is built.

Building ten thousand summaries and table rows allocates a few hundred thousand small objects
that all stay alive; each time the collector runs it walks every one built so far, which made
building the rows cost two to three times what the building itself does. None of them form
cycles (they are freed by reference counting alike), so the collector is paused for the burst.
Pauses nest and may overlap across threads: collection resumes when the last one ends, and only
if it was on before the first.

The program's start is such a burst too (modules, styles, widgets: a few hundred thousand objects
that live as long as the process), and the collector's passes over them took about a fifth of
the time to the first screen. ``start_paused`` wraps the whole run of the program, and the app
ends the pause early with ``end_start_pause`` once the first screen is drawn, after freezing
what was built.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Pauses:
    """How many pauses are under way, and whether collection was on before the first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0
        self.was_enabled = False
        self.starting = False  # the start's pause is one of them

    def begin(self) -> None:
        """One more pause (the lock held)."""
        if self.count == 0:
            self.was_enabled = gc.isenabled()
            gc.disable()
        self.count += 1

    def end(self) -> None:
        """One pause fewer (the lock held)."""
        self.count -= 1
        if self.count == 0 and self.was_enabled:
            gc.enable()


_PAUSES = _Pauses()


@contextmanager
def collection_paused() -> Iterator[None]:
    with _PAUSES.lock:
        _PAUSES.begin()
    try:
        yield
    finally:
        with _PAUSES.lock:
            _PAUSES.end()


@contextmanager
def start_paused() -> Iterator[None]:
    """Collection paused from here until ``end_start_pause`` (the first screen drawn) or the block's end."""
    with _PAUSES.lock:
        if _PAUSES.starting:
            raise RuntimeError("the start's pause is already under way")
        _PAUSES.starting = True
        _PAUSES.begin()
    try:
        yield
    finally:
        end_start_pause()


def end_start_pause() -> None:
    """End the start's pause, if one is under way; safe to call any number of times."""
    with _PAUSES.lock:
        if _PAUSES.starting:
            _PAUSES.starting = False
            _PAUSES.end()
