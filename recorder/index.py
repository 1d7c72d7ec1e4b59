"""The line index: where each frame of a recording starts and ends, found without parsing it.

Loading the peer's way (parse every line into objects) costs 7 s and 1 GB for 100,000 frames.
Here the file is read in fixed-size chunks and only scanned for newlines; a line that starts like
a frame record and ends like a JSON object is taken as a frame and parsed later, on demand. Every
other line (headers, junk, odd formatting) is parsed now: such lines are few. Memory is two
integer arrays, 16 bytes a frame.

The index also follows a file that is still being written: ``update()`` consumes only complete
lines, and notices when the file was truncated, replaced or rewritten underneath it.
"""

from __future__ import annotations

import os
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from recorder.errors import open_for_reading
from recorder.models import Problem, Session

_FRAME_PREFIX = b'{"type":"frame"'
_BOM = b"\xef\xbb\xbf"
_CHUNK = 4 << 20
_FINGERPRINT = 512
_CLOSE_BRACE = ord("}")
_CR = ord("\r")


@dataclass(frozen=True, slots=True)
class IndexUpdate:
    """What one ``update()`` found: how many frames were added, and whether it started over."""

    new_frames: int
    reset: bool = False


class Decoded(NamedTuple):
    """One parsed line: the value, or the error that stopped it; a note when it had to be mended."""

    value: Any
    error: str | None = None
    note: str | None = None


def decode_line(raw: bytes) -> Decoded:
    """Parse one line. A BOM and surrounding whitespace (CR included) are ignored.

    Invalid UTF-8 is replaced rather than fatal (the peer loses the whole file over one bad
    byte); the note says so.
    """
    text = raw.strip()
    if text.startswith(_BOM):
        text = text[len(_BOM) :].strip()
    try:
        return Decoded(orjson.loads(text))
    except orjson.JSONDecodeError as exc:
        if "utf-8" not in str(exc).lower():
            return Decoded(None, _json_reason(text, exc))
    try:
        value = orjson.loads(text.decode("utf-8", errors="replace"))
    except orjson.JSONDecodeError as exc:
        return Decoded(None, _json_reason(text, exc))
    return Decoded(value, note="invalid UTF-8 replaced with U+FFFD")


def _json_reason(text: bytes, exc: orjson.JSONDecodeError) -> str:
    if not text:
        return "empty line"
    opener = text[:1]
    if opener in (b"{", b"[") and exc.pos >= len(text) - 1:
        return "truncated JSON (the line ends early)"
    return f"invalid JSON at column {exc.pos + 1}: {exc.msg}"


class LineIndex:
    """Offsets of the frame lines of one file, the session headers, and the lines skipped."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.fd = open_for_reading(self.path)
        self._reset_state()

    def _reset_state(self) -> None:
        self.starts: array[int] = array("q")
        self.ends: array[int] = array("q")
        self.lines: array[int] = array("l")
        self.sessions: list[tuple[int, Session]] = []
        self.problems: list[Problem] = []
        self.end = 0  # just past the last line consumed
        self.line_count = 0
        self.pending_tail = 0  # bytes after ``end``: a line still being written, or cut off
        self._fingerprint = b""
        self._last_line_start = 0
        self._identity = self._open_identity()

    def _open_identity(self) -> tuple[int, int]:
        """What tells this file from one renamed over it: device and inode of the open file."""
        stat = os.fstat(self.fd)
        return stat.st_dev, stat.st_ino

    def _pread(self, size: int, offset: int) -> bytes:
        """Up to ``size`` bytes at ``offset``: the one way this index reads, so another store
        (an object read by ranges) can stand in for the file."""
        return os.pread(self.fd, size, offset)

    def __len__(self) -> int:
        return len(self.starts)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    # -- following ---------------------------------------------------------------------------

    def update(self) -> IndexUpdate:
        """Index what was appended since the last call; start over if the file changed under us."""
        reset = self._changed_underneath()
        if reset:
            self._reopen()
        before = len(self.starts)
        self._scan()
        return IndexUpdate(len(self.starts) - before, reset)

    def _changed_underneath(self) -> bool:
        try:
            stat = os.stat(self.path)
        except OSError:
            return False  # gone for now (mid-rotation): keep what we have
        if (stat.st_dev, stat.st_ino) != self._identity:
            return True
        if stat.st_size < self.end:
            return True
        return self._read_fingerprint() != self._fingerprint

    def _reopen(self) -> None:
        fd = open_for_reading(self.path)
        self.close()
        self.fd = fd
        self._reset_state()

    # -- scanning ----------------------------------------------------------------------------

    def _scan(self) -> None:
        """Consume complete lines from ``end`` to the end of the file."""
        pread = self._pread
        starts_append = self.starts.append
        ends_append = self.ends.append
        lines_append = self.lines.append
        base = self.end
        line_no = self.line_count
        carry = b""
        while True:
            chunk = pread(_CHUNK, base + len(carry))
            if not chunk:
                break
            data = carry + chunk if carry else chunk
            find = data.find
            startswith = data.startswith
            start = 0
            while True:
                newline = find(b"\n", start)
                if newline < 0:
                    break
                line_no += 1
                line_start = start
                last = newline - 1
                if last >= 0 and data[last] == _CR:
                    last -= 1
                if startswith(_FRAME_PREFIX, start) and last > start and data[last] == _CLOSE_BRACE:
                    starts_append(base + start)
                    ends_append(base + newline)
                    lines_append(line_no)
                elif last >= start:
                    self._classify(data[start:newline], base + start, base + newline, line_no)
                start = newline + 1
            if start:
                self._last_line_start = base + line_start
            carry = data[start:]
            base += start
        self.line_count = line_no
        self.end = base
        self.pending_tail = len(carry)
        if carry and self._consume_complete_tail(carry, base, line_no + 1):
            self._last_line_start = base
            self.line_count = line_no + 1
            self.end = base + len(carry)
            self.pending_tail = 0
        self._fingerprint = self._read_fingerprint()

    def _read_fingerprint(self) -> bytes:
        """The file's first bytes and the start of its last consumed line.

        Both carry ids and timestamps, so a file rewritten in place (same inode, size not
        shrunk) almost surely differs here even when its tail bytes look the same.
        """
        if not self.end:
            return b""
        head = self._pread(min(_FINGERPRINT, self.end), 0)
        last = self._pread(min(_FINGERPRINT, self.end - self._last_line_start), self._last_line_start)
        return head + last

    def _consume_complete_tail(self, tail: bytes, start: int, line_no: int) -> bool:
        """Take a last line without its newline only when it is a whole JSON object.

        A strict prefix of a JSON object line is never itself a JSON object, so this cannot take
        half a frame that the writer is still appending; a file written by hand without a final
        newline still loads.
        """
        if not tail.strip():
            return False
        decoded = decode_line(tail)
        if not isinstance(decoded.value, dict) or decoded.note is not None:
            return False
        self._classify(tail, start, start + len(tail), line_no, parsed=decoded)
        return True

    def _classify(self, raw: bytes, start: int, end: int, line_no: int, parsed: Decoded | None = None) -> None:
        """A line that did not look like a plain frame record: parse it and file it."""
        if parsed is None:
            if not raw.strip():
                return
            parsed = decode_line(raw)
        value, error, reason = parsed
        if error is not None:
            self.problems.append(Problem(line_no, error))
            return
        if not isinstance(value, dict):
            self.problems.append(Problem(line_no, f"a JSON {type(value).__name__}, not a record object"))
            return
        kind = value.get("type")
        data = value.get("data")
        if kind not in ("frame", "session"):
            self.problems.append(Problem(line_no, f"record type {kind!r} ignored"))
            return
        if not isinstance(data, dict):
            self.problems.append(Problem(line_no, f"{kind} record without a data object"))
            return
        if kind == "frame":
            self.starts.append(start)
            self.ends.append(end)
            self.lines.append(line_no)
        else:
            self.sessions.append((line_no, Session.from_dict(data)))
        if reason:
            self.problems.append(Problem(line_no, reason))
        if raw.startswith(_BOM):
            self.problems.append(Problem(line_no, "byte-order mark ignored"))

    def read_line(self, position: int) -> bytes:
        """The raw bytes of the frame at ``position`` in the index."""
        start = self.starts[position]
        return self._pread(self.ends[position] - start, start)
