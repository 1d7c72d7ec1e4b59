"""Pausing Python's cycle collector while a burst of long-lived objects is built.

Building ten thousand summaries and table rows allocates a few hundred thousand small objects
that all stay alive; each time the collector runs it walks every one built so far, which made
building the rows cost two to three times what the building itself does. None of them form
cycles (they are freed by reference counting alike), so the collector is paused for the burst.
Pauses nest and may overlap across threads: collection resumes when the last one ends, and only
if it was on before the first.
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


_PAUSES = _Pauses()


@contextmanager
def collection_paused() -> Iterator[None]:
    with _PAUSES.lock:
        if _PAUSES.count == 0:
            _PAUSES.was_enabled = gc.isenabled()
            gc.disable()
        _PAUSES.count += 1
    try:
        yield
    finally:
        with _PAUSES.lock:
            _PAUSES.count -= 1
            if _PAUSES.count == 0 and _PAUSES.was_enabled:
                gc.enable()
