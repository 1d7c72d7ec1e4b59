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
from typing import Any

import orjson

from recorder.coerce import optional_int
from recorder.exact_json import may_hold_wide_int
from recorder.index import FRAME_PREFIX, decode_line
from recorder.models import FrameType, Session
from recorder.outcome import RunOutcome, outcome_of

_FIRST_TAIL = 8 << 10  # most saved runs end in two lines shorter than this: one small read
_TAIL = 64 << 10  # a last line longer than this is not a session record
_SESSION_PREFIXES = (b'{"type":"session"', b'{"type": "session"')
_LONGEST_FRAME = 16 << 20  # past this the frame before the totals is not looked for: index instead
_ERROR_FRAME = FrameType.ERROR.value


@dataclass(frozen=True, slots=True)
class RunSummary:
    session: Session
    frames: int
    outcome: RunOutcome


@dataclass(frozen=True, slots=True)
class TailFacts:
    """What a saved run's last two lines say, before any model is built: the session record's
    ``data`` as written (untrusted: read it as ``Session.from_dict`` does), the frame count it
    gives, the run's outcome, and the file's stamp taken from the open file after reading (one
    look at the path fewer, for a caller that checks the file held still). The session list reads
    ten thousand of these at once."""

    data: dict[str, Any]
    frames: int
    outcome: RunOutcome
    stamp: tuple[int, int]  # the file's (size, modification time in ns) once the lines were read


def summary_from_tail(path: str | os.PathLike[str], *, writer_active: bool = False) -> RunSummary | None:
    """The summary of a saved run from its last two lines, or None when they do not allow it."""
    facts = tail_facts(path, writer_active=writer_active)
    if facts is None:
        return None
    return RunSummary(Session.from_dict(facts.data), facts.frames, facts.outcome)


def tail_facts(path: str | os.PathLike[str], *, writer_active: bool = False) -> TailFacts | None:
    """``summary_from_tail``'s facts without the ``Session``, or None when the lines do not allow it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        size = os.fstat(fd).st_size
        for span in (_FIRST_TAIL, _TAIL):  # a small read first; a longer last line, a longer one
            tail_start = max(0, size - span)
            tail = os.pread(fd, size - tail_start, tail_start).rstrip(b"\r\n")
            cut = tail.rfind(b"\n")
            if cut >= 0 or tail_start == 0:
                break
        else:
            return None  # a last line longer than the tail: not a session record
        last = tail[cut + 1 :]
        if not last.startswith(_SESSION_PREFIXES):
            return None
        value = _parsed(last)
        if not isinstance(value, dict) or value.get("type") != "session":
            return None
        data = value.get("data")
        if not isinstance(data, dict):
            return None
        frames = optional_int(data.get("frame_count")) or 0
        if frames <= 0 or cut < 0:
            return None  # no totals to trust, or nothing before them (indexing costs nothing then)
        before = tail[:cut].rstrip(b"\r\n")
        start = before.rfind(b"\n")
        previous = before[start + 1 :] if start >= 0 or tail_start == 0 else _line_before(fd, tail_start + cut)[0]
        if previous is None or not previous.lstrip().startswith(FRAME_PREFIX):
            return None
        outcome = outcome_of(_is_error_line(previous), True, writer_active)
        after = os.fstat(fd)
        return TailFacts(data, frames, outcome, (after.st_size, after.st_mtime_ns))
    finally:
        os.close(fd)


def _parsed(raw: bytes) -> Any:
    """``decode_line(raw).value`` (None when it fails) for a line that starts with ``{``: orjson
    at once, the checks and repairs only for a line that needs them."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return decode_line(raw).value
    return decode_line(raw).value if may_hold_wide_int(raw) else value


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
    """Whether the frame line is an error frame; an unreadable one is shown as an error frame by
    the reader too. (orjson's reading of a line that may hold a wide integer is not checked
    again: a rounded number changes neither the frame type nor whether an error type is set.)"""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        decoded = decode_line(raw)
        if decoded.error is not None:
            return True
        value = decoded.value
    data = value.get("data") if isinstance(value, dict) else None
    if not isinstance(data, dict):
        return True
    metadata = data.get("metadata")
    error_type = metadata.get("error_type") if isinstance(metadata, dict) else None
    return data.get("frame_type") == _ERROR_FRAME or bool(error_type)
