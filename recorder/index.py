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
from pathlib import Path
from typing import Any, Final, NamedTuple

import orjson

from recorder.errors import open_for_reading
from recorder.exact_json import loads_exact, may_hold_wide_int
from recorder.models import Problem, ProblemKind, Session
from recorder.slotted import Slotted

FRAME_PREFIX = b'{"type":"frame"'  # how a plain frame record's line starts: the fast path of indexing
_FRAME_PREFIX = FRAME_PREFIX
_BOM = b"\xef\xbb\xbf"
_CHUNK = 4 << 20
_FINGERPRINT = 512
_SAMPLED_LINES = 16  # frame lines read back to tell a file rewritten in place from one appended to
_SAMPLED_BYTES = 4096  # of each, at most
_CLOSE_BRACE = ord("}")
_CR = ord("\r")


class IndexUpdate(Slotted):
    """What one ``update()`` found: how many frames were added, and whether it started over."""

    __slots__ = ("new_frames", "reset")

    def __init__(self, new_frames: int, reset: bool = False) -> None:
        self.new_frames: Final = new_frames
        self.reset: Final = reset


class Decoded(NamedTuple):
    """One parsed line: the value, or the error that stopped it; a note when it had to be mended."""

    value: Any
    error: str | None = None
    note: str | None = None


def decode_line(raw: bytes) -> Decoded:
    """Parse one line. A BOM and surrounding whitespace (CR included) are ignored.

    orjson parses every ordinary line. A line it refuses (``NaN``, ``Infinity``, a lone
    surrogate escape) or that may hold an integer beyond 64 bits (which orjson would round) is
    parsed again exactly by ``loads_exact``. Invalid UTF-8 is replaced rather than fatal (the peer
    loses the whole file over one bad byte); the note says so.
    """
    text = raw.strip()
    if text.startswith(_BOM):
        text = text[len(_BOM) :].strip()
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        if "utf-8" not in str(exc).lower():
            return _decode_exact(text, text, exc, None)
    else:
        if not may_hold_wide_int(text):
            return Decoded(value)
        return _decode_exact(text, text, None, value)
    note = "invalid UTF-8 replaced with U+FFFD"
    mended = text.decode("utf-8", errors="replace")
    try:
        value = orjson.loads(mended)
    except orjson.JSONDecodeError as exc:
        decoded = _decode_exact(text, mended, exc, None)
        return decoded._replace(note=note) if decoded.error is None else decoded
    return Decoded(value, note=note)


def _decode_exact(text: bytes, source: bytes | str, error: orjson.JSONDecodeError | None, value: Any) -> Decoded:
    """The exact parse of a line orjson refused (``error``) or may have rounded (``value``)."""
    try:
        return Decoded(loads_exact(source))
    except ValueError:
        if error is None:
            return Decoded(value)  # the standard library refuses it too: orjson's reading stands
        return Decoded(None, _json_reason(text, error))


def _json_reason(text: bytes, exc: orjson.JSONDecodeError) -> str:
    if not text:
        return "empty line"
    opener = text[:1]
    if opener in (b"{", b"[") and exc.pos >= len(text) - 1:
        return "truncated JSON (the line ends early)"
    return f"invalid JSON at column {exc.pos + 1}: {exc.msg}"


class Filed(NamedTuple):
    """Where the index files one line: a frame or a session record (with its data once parsed),
    or nowhere, with the reason and the kind of the problem it reports."""

    kind: str | None  # "frame", "session", or None for a line it skips
    data: dict[str, Any] | None = None
    reason: str = ""
    problem: ProblemKind = ProblemKind.UNREADABLE


def looks_like_frame(line: bytes) -> bool:
    """The index's fast path: a line that starts like a frame record and ends like an object is
    taken as a frame without parsing it (it is parsed when shown)."""
    text = line.rstrip(b"\r")
    return text.startswith(_FRAME_PREFIX) and text.endswith(b"}")


def file_record(parsed: Decoded) -> Filed:
    """How the index files a parsed line: only frame and session records with a data object count."""
    value, error, _note = parsed
    if error is not None:
        return Filed(None, reason=error)
    if not isinstance(value, dict):
        return Filed(None, reason=f"a JSON {type(value).__name__}, not a record object")
    kind = value.get("type")
    data = value.get("data")
    if kind not in ("frame", "session"):
        return Filed(None, reason=f"record type {kind!r} ignored", problem=ProblemKind.IGNORED)
    if not isinstance(data, dict):
        return Filed(None, reason=f"{kind} record without a data object")
    return Filed(str(kind), data)


def classify_line(line: bytes) -> Filed:
    """How the index files one complete line (without its newline): what a reader of part of a
    file (the first screen's preview) uses, so its frame numbers agree with the index's."""
    if looks_like_frame(line):
        return Filed("frame")
    if not line.strip():
        return Filed(None)  # a blank line: skipped without a word
    return file_record(decode_line(line))


def _whole_record(tail: bytes) -> Decoded | None:
    """The parsed line when ``tail`` (a line without its newline) is a whole JSON object."""
    if not tail.strip():
        return None
    decoded = decode_line(tail)
    if not isinstance(decoded.value, dict) or decoded.note is not None:
        return None
    return decoded


def is_whole_record(tail: bytes) -> bool:
    """Whether a last line without a newline is complete, by the rule the index reads files with."""
    return _whole_record(tail) is not None


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
        self._sample: tuple[int, ...] = ()
        self._seen = (-1, 0, 0)  # size, mtime and ctime in ns when the last scan ended
        self._last_line_start = 0
        self._separator = b"\n"  # b"\r" for a file whose lines end in a bare CR (classic Mac)
        self._separator_known = False
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
        if stat.st_size == self._seen[0] and (stat.st_mtime_ns, stat.st_ctime_ns) != self._seen[1:]:
            return True  # written to without growing: rewritten in place
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
            if not self._separator_known:
                self._learn_separator(data)
            separator = self._separator
            find = data.find
            startswith = data.startswith
            start = 0
            while True:
                newline = find(separator, start)
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
        self._sample = self._sample_positions()
        self._fingerprint = self._read_fingerprint()
        self._seen = self._stamp()

    def _stamp(self) -> tuple[int, int, int]:
        """Size, mtime and ctime (ns) of what is read: a rewrite in place that keeps the size
        still changes the times."""
        stat = os.fstat(self.fd)
        return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns

    def _learn_separator(self, data: bytes) -> None:
        """LF (or CRLF) unless the first bytes end lines with a bare CR and hold no LF at all.

        JSON strings cannot hold a raw CR or LF, so a CR outside a line's JSON only ever ends it.
        """
        if b"\n" in data:
            self._separator_known = True
        elif b"\r" in data:
            self._separator, self._separator_known = b"\r", True

    def _sample_positions(self) -> tuple[int, ...]:
        """Up to ``_SAMPLED_LINES`` frames spread evenly over the index, first and last included."""
        count = len(self.starts)
        if count <= _SAMPLED_LINES:
            return tuple(range(count))
        step = (count - 1) / (_SAMPLED_LINES - 1)
        return tuple(round(i * step) for i in range(_SAMPLED_LINES))

    def _read_fingerprint(self) -> bytes:
        """A digest of the file's first bytes, its last consumed line and a sample of frame lines.

        Each carries ids and timestamps, so a file rewritten in place (same inode, size not
        shrunk) almost surely differs here even when its first and last bytes look the same; the
        modification time catches the rest unless it falls in the same clock tick.
        """
        if not self.end:
            return b""
        import hashlib  # off the viewer's start path: the first index is built after the first screen

        digest = hashlib.blake2b(self._pread(min(_FINGERPRINT, self.end), 0), digest_size=16)
        digest.update(self._pread(min(_FINGERPRINT, self.end - self._last_line_start), self._last_line_start))
        starts, ends = self.starts, self.ends
        for position in self._sample:
            start = starts[position]
            digest.update(self._pread(min(_SAMPLED_BYTES, ends[position] - start), start))
        return digest.digest()

    def _consume_complete_tail(self, tail: bytes, start: int, line_no: int) -> bool:
        """Take a last line without its newline only when it is a whole JSON object.

        A strict prefix of a JSON object line is never itself a JSON object, so this cannot take
        half a frame that the writer is still appending; a file written by hand without a final
        newline still loads.
        """
        decoded = _whole_record(tail)
        if decoded is None:
            return False
        self._classify(tail, start, start + len(tail), line_no, parsed=decoded)
        return True

    def _classify(self, raw: bytes, start: int, end: int, line_no: int, parsed: Decoded | None = None) -> None:
        """A line that did not look like a plain frame record: parse it and file it."""
        if parsed is None:
            if not raw.strip():
                return
            parsed = decode_line(raw)
        filed = file_record(parsed)
        if filed.kind is None:
            self.problems.append(Problem(line_no, filed.reason, filed.problem))
            return
        if filed.kind == "frame":
            self.starts.append(start)
            self.ends.append(end)
            self.lines.append(line_no)
        else:
            assert filed.data is not None
            self.sessions.append((line_no, Session.from_dict(filed.data)))
        if parsed.note:
            self.problems.append(Problem(line_no, parsed.note, ProblemKind.MENDED))
        if raw.startswith(_BOM):
            self.problems.append(Problem(line_no, "byte-order mark ignored", ProblemKind.MENDED))

    def read_line(self, position: int) -> bytes:
        """The raw bytes of the frame at ``position`` in the index."""
        start = self.starts[position]
        return self._pread(self.ends[position] - start, start)
