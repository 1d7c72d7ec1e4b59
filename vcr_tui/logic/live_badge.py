"""The word the status line shows for a followed recording, true to what the file is doing.

Following a file is not the same as the file being live. A recording whose writer saved its
totals (a session record after its last frame) is COMPLETE; one that has not been written to for
a while, without totals (its writer stopped or crashed), is IDLE; only a file written to lately
is LIVE (the view follows its end) or PAUSED (the view stays, new frames are counted). A stream
that ended (a pipe closed) says ENDED unless its totals say COMPLETE.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

IDLE_AFTER = 10.0  # seconds without a write after which a followed file is idle, not live
_FOLLOWING = ("LIVE", "PAUSED", "ENDED")


def honest_marker(marker: str | None, *, totals_written: bool, quiet_for: float | None) -> str | None:
    """``marker`` (LIVE / PAUSED / ENDED / a source's state) as the file's facts allow it.

    ``quiet_for`` is how long the file has not been written to (None: unknown, as for a pipe).
    """
    if marker not in _FOLLOWING:
        return marker
    if totals_written:
        return "COMPLETE"
    if marker != "ENDED" and quiet_for is not None and quiet_for > IDLE_AFTER:
        return "IDLE"
    return marker


def quiet_for(path: Path | None) -> float | None:
    """Seconds since the local file was last written; None when there is no such file to ask."""
    if path is None:
        return None
    try:
        return max(0.0, time.time() - os.stat(path).st_mtime)
    except OSError:
        return None


def is_complete(store: Any) -> bool:
    """Whether the store's reader has seen the writer's totals after its frames (False for a
    preview, and for a header alone: a writer that has not recorded its first step yet)."""
    reader = getattr(store, "reader", None)
    return reader is not None and bool(getattr(reader, "totals_written", False)) and len(reader) > 0


def is_being_written(store: Any, path: Path | None) -> bool:
    """Whether a local file is a live session now: no totals yet, and written to lately.

    Such a file opens on its newest frame and follows it, as a stream does; a finished or
    abandoned one opens on its first frame, like any recording.
    """
    quiet = quiet_for(path)
    return not is_complete(store) and quiet is not None and quiet <= IDLE_AFTER


def recheck_in(marker: str | None, quiet: float | None) -> float | None:
    """When a LIVE or PAUSED badge should be looked at again, to turn IDLE if nothing is written."""
    if marker not in ("LIVE", "PAUSED") or quiet is None:
        return None
    return max(0.5, IDLE_AFTER - quiet + 0.5)
