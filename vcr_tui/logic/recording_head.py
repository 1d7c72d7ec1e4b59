"""Whether a file is a recording at all, judged from its head before the debugger opens it.

The reader is tolerant on purpose: a recording with bad lines opens, and its skipped lines are
listed. That tolerance turns a file that was never a recording (a README, a program) into an empty
"recording" with a problem for every line. A file whose head holds no record is refused instead,
with one line; the lines are judged by the index's own classifier, so both agree on what a
record is.
"""

from __future__ import annotations

import os
from pathlib import Path

from recorder.errors import open_for_reading
from recorder.index import classify_line, decode_line
from recorder.models import ProblemKind

HEAD_BYTES = 256 * 1024  # enough for the header and the first frames of any recording
HEAD_LINES = 64


def holds_records(path: Path) -> bool:
    """True when a line of the file's head is a record (or the head is still empty or blank).

    An empty file is a recording whose writer has not written its header yet. A record of a kind
    this version does not know still counts: newer writers may add kinds.
    """
    fd = open_for_reading(path)
    try:
        head = os.read(fd, HEAD_BYTES)
    finally:
        os.close(fd)
    lines = head.split(b"\n")
    if len(head) == HEAD_BYTES:
        cut = lines.pop()  # the last line may be cut by the read: judge whole lines only
        if not lines:  # one line longer than the head: a record if it opens like one
            return _opens_like_record(cut)
    blank = True
    for line in lines[:HEAD_LINES]:
        if not line.strip():
            continue
        blank = False
        filed = classify_line(line.rstrip(b"\r"))
        if filed.kind is not None or (filed.problem is ProblemKind.IGNORED and _typed_record(line)):
            return True
    return blank


def _opens_like_record(start: bytes) -> bool:
    """The start of a line too long to read whole: an object that names its record type early."""
    text = start.removeprefix(b"\xef\xbb\xbf").lstrip()
    return text.startswith(b"{") and b'"type"' in text[:4096]


def _typed_record(line: bytes) -> bool:
    """A record of a kind the index skips on purpose: an object with a named type and a data object."""
    value = decode_line(line).value
    return isinstance(value, dict) and isinstance(value.get("type"), str) and isinstance(value.get("data"), dict)
