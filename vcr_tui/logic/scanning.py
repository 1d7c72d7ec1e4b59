"""Whole-recording scans that run in workers: text search, and the survey that finds error frames
and bad lines.

Both read raw lines (never the reader's cache, which belongs to the cursor). The search tests
bytes first and parses only lines that pass, so searching 100,000 frames costs about one read of
the file. Scans start at the cursor and wrap around, so the match you want next is usually found
first, and they hand the GIL back often so keys never wait for them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from recorder import Frame, Problem
from recorder.index import decode_line
from recorder.models import ProblemKind, frame_from_dict

_YIELD_EVERY = 256


def scan_order(total: int, start: int) -> Iterator[int]:
    """``start``, ``start + 1``, … to the end, then from 0 back up to ``start``."""
    start = min(max(start, 0), max(total - 1, 0))
    yield from range(start, total)
    yield from range(0, start)


class TextMatcher:
    """Case-insensitive substring test on node names, errors and state text of a frame line."""

    def __init__(self, query: str) -> None:
        self.needle = query.casefold()
        encoded = query.lower().encode("utf-8")
        # JSON may spell non-ASCII, quotes and backslashes as escapes: no byte shortcut then.
        self._byte_needle = (
            encoded if query.isascii() and not set(query) & {'"', "\\"} and query.isprintable() else None
        )

    def matches_line(self, raw: bytes) -> bool:
        if self._byte_needle is not None and self._byte_needle not in raw.lower():
            return False
        value = decode_line(raw).value
        data = value.get("data") if isinstance(value, dict) else None
        if not isinstance(data, dict):
            return False
        metadata = data.get("metadata")
        fields: list[Any] = [data.get("node_name"), data.get("input_state"), data.get("output_state")]
        if data.get("state_diff"):
            fields.append(data.get("state_diff"))
        if isinstance(metadata, dict):
            fields.extend([metadata.get("error_type"), metadata.get("error_message")])
        return any(self._holds(field, 0) for field in fields)

    def _holds(self, value: Any, depth: int) -> bool:
        if isinstance(value, str):
            return self.needle in value.casefold()
        if depth > 100:
            return False
        if isinstance(value, dict):
            return any(
                (isinstance(key, str) and self.needle in key.casefold()) or self._holds(child, depth + 1)
                for key, child in value.items()
            )
        if isinstance(value, list):
            return any(self._holds(child, depth + 1) for child in value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return self.needle in repr(value)
        return False


def survey_line(
    raw: bytes, index: int, line: int, seen: Callable[[Frame], object] | None = None
) -> tuple[bool, Problem | None]:
    """Whether a frame line records an error, and what is wrong with it if anything.

    Parses the line whole, as the reader will when the frame is shown, so a file's problems
    are all known after one pass (the reader alone finds a frame's problems only on a visit).
    ``seen`` is handed each frame parsed, for whatever else needs every frame once (the cost
    ledger): the one pass then serves them all.
    """
    value, reason, note = decode_line(raw)
    data = value.get("data") if isinstance(value, dict) else None
    if not isinstance(data, dict):
        return True, Problem(line, reason or "frame record without a data object")
    frame, notes = frame_from_dict(data, index=index, line=line)
    if seen is not None:
        seen(frame)
    if note:
        notes.insert(0, note)
    return frame.is_error, Problem(line, "; ".join(notes), ProblemKind.MENDED) if notes else None


def scan(
    total: int,
    start: int,
    read: Callable[[int], bytes],
    test: Callable[[bytes, int], bool],
    report: Callable[[list[int], int, bool], None],
    cancelled: Callable[[], bool],
    batch_seconds: float = 0.05,
) -> None:
    """Test every frame (in ``scan_order``), reporting hits in batches about every 50 ms."""
    found: list[int] = []
    scanned = 0
    last_report = time.monotonic()
    for index in scan_order(total, start):
        if cancelled():
            return
        if scanned % _YIELD_EVERY == 0:
            time.sleep(0)  # hand the GIL to the UI thread: a scan must never make keys lag
        try:
            raw = read(index)
        except (IndexError, OSError):
            continue  # the file changed under us; a reset restarts scans
        scanned += 1
        if test(raw, index):
            found.append(index)
        now = time.monotonic()
        if now - last_report >= batch_seconds:
            report(found, scanned, False)
            found = []
            last_report = now
    report(found, scanned, True)
