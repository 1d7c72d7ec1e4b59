"""A saved run's summary from the end of its file alone, for listing thousands of sessions fast.

``save()`` appends a session record with the totals after the last frame, so a saved run's last
line already says its id, parent, fork point, tags, frame count, tokens and cost, and the line
before it is its last frame (an error or not). Reading those two lines costs two small reads
whatever the file's size. A file that does not end that way (still being written, killed before
it saved, or written by a tool that puts its totals first) gets None here and must be indexed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from recorder.index import FRAME_PREFIX, decode_line
from recorder.models import FrameType, Session
from recorder.outcome import RunOutcome, outcome_of

_TAIL = 64 << 10
_SESSION_PREFIXES = (b'{"type":"session"', b'{"type": "session"')
_LONGEST_FRAME = 16 << 20  # past this the frame before the totals is not looked for: index instead


@dataclass(frozen=True, slots=True)
class RunSummary:
    session: Session
    frames: int
    outcome: RunOutcome


def summary_from_tail(path: str | os.PathLike[str], *, writer_active: bool = False) -> RunSummary | None:
    """The summary of a saved run from its last two lines, or None when they do not allow it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        size = os.fstat(fd).st_size
        tail_start = max(0, size - _TAIL)
        tail = os.pread(fd, size - tail_start, tail_start).rstrip(b"\r\n")
        cut = tail.rfind(b"\n")
        if cut < 0 and tail_start > 0:
            return None  # a last line longer than the tail: not a session record
        last = tail[cut + 1 :]
        if not last.startswith(_SESSION_PREFIXES):
            return None
        value, error, _ = decode_line(last)
        if error is not None or not isinstance(value, dict) or value.get("type") != "session":
            return None
        data = value.get("data")
        if not isinstance(data, dict):
            return None
        session = Session.from_dict(data)
        if session.frame_count <= 0 or cut < 0:
            return None  # no totals to trust, or nothing before them (indexing costs nothing then)
        before = tail[:cut].rstrip(b"\r\n")
        start = before.rfind(b"\n")
        previous = before[start + 1 :] if start >= 0 or tail_start == 0 else _line_before(fd, tail_start + cut)[0]
        if previous is None or not previous.lstrip().startswith(FRAME_PREFIX):
            return None
        return RunSummary(session, session.frame_count, outcome_of(_is_error_line(previous), True, writer_active))
    finally:
        os.close(fd)


def _line_before(fd: int, end: int) -> tuple[bytes | None, int]:
    """The last complete line that ends at or before ``end`` (trailing newlines skipped), and where it starts."""
    while end > 0 and os.pread(fd, 1, end - 1) in (b"\n", b"\r"):
        end -= 1
    if end <= 0:
        return None, 0
    chunk = _TAIL
    while True:
        start = max(0, end - chunk)
        data = os.pread(fd, end - start, start)
        newline = data.rfind(b"\n")
        if newline >= 0:
            return data[newline + 1 :], start + newline + 1
        if start == 0:
            return data, 0
        if chunk >= _LONGEST_FRAME:
            return None, 0
        chunk *= 4


def _is_error_line(raw: bytes) -> bool:
    value, error, _ = decode_line(raw)
    data = value.get("data") if isinstance(value, dict) else None
    if error is not None or not isinstance(data, dict):
        return True  # an unreadable last frame is shown as an error frame by the reader too
    metadata = data.get("metadata")
    error_type = metadata.get("error_type") if isinstance(metadata, dict) else None
    return data.get("frame_type") == FrameType.ERROR.value or bool(error_type)
