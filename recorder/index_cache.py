"""A local copy of a remote recording's line index, keyed by the object's address and version tag.

Indexing an object means streaming all of it once; its index is a few integer arrays (16 bytes a
frame), so it is kept on disk and a second open of the same version costs one metadata request.
A new version (another ETag) gets a new entry. An entry that does not read back exactly (another
program's file, a torn write, another platform's integer size) is ignored, never trusted: the
object is then indexed again.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from recorder.models import Problem, Session

_MAGIC = b"VCRIDX1\n"
_ARRAYS = (("starts", "q"), ("ends", "q"), ("lines", "l"))


def default_cache_dir() -> Path:
    """``$VCR_TUI_CACHE``, else ``$XDG_CACHE_HOME/vcr-tui``, else ``~/.cache/vcr-tui``; indexes go in ``index/``."""
    configured = os.environ.get("VCR_TUI_CACHE")
    if configured:
        return Path(configured) / "index"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "vcr-tui" / "index"


@dataclass
class IndexSnapshot:
    """Everything a line index knows about one version of an object."""

    size: int
    tag: str
    end: int
    line_count: int
    pending_tail: int
    last_line_start: int
    fingerprint: bytes
    starts: array[int] = field(default_factory=lambda: array("q"))
    ends: array[int] = field(default_factory=lambda: array("q"))
    lines: array[int] = field(default_factory=lambda: array("l"))
    sessions: list[tuple[int, Session]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _entry(folder: Path, url: str, tag: str) -> Path:
    digest = hashlib.sha256(f"{url}\0{tag}".encode()).hexdigest()[:40]
    return folder / f"{digest}.idx"


def save(folder: Path, url: str, snapshot: IndexSnapshot) -> None:
    """Write the entry atomically (a temporary file renamed into place); failures are silent:
    a cache that cannot be written only costs the next open its speed."""
    header: dict[str, Any] = {
        "url": url,
        "size": snapshot.size,
        "tag": snapshot.tag,
        "end": snapshot.end,
        "line_count": snapshot.line_count,
        "pending_tail": snapshot.pending_tail,
        "last_line_start": snapshot.last_line_start,
        "fingerprint": snapshot.fingerprint.hex(),
        "sessions": [[line, session.to_record()["data"]] for line, session in snapshot.sessions],
        "problems": [[problem.line, problem.reason] for problem in snapshot.problems],
        "arrays": [[name, code, array(code).itemsize, len(getattr(snapshot, name))] for name, code in _ARRAYS],
    }
    encoded = orjson.dumps(header)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".index-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(_MAGIC)
                out.write(len(encoded).to_bytes(8, "little"))
                out.write(encoded)
                for name, _code in _ARRAYS:
                    getattr(snapshot, name).tofile(out)
            os.replace(temporary, _entry(folder, url, snapshot.tag))
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass


def load(folder: Path, url: str, size: int, tag: str) -> IndexSnapshot | None:
    """The entry for this exact version, or None when there is none or it does not read back whole."""
    try:
        data = _entry(folder, url, tag).read_bytes()
    except OSError:
        return None
    try:
        return _decode(data, url, size, tag)
    except (ValueError, KeyError, TypeError, IndexError, orjson.JSONDecodeError):
        return None


def _decode(data: bytes, url: str, size: int, tag: str) -> IndexSnapshot | None:
    if not data.startswith(_MAGIC):
        return None
    at = len(_MAGIC)
    length = int.from_bytes(data[at : at + 8], "little")
    at += 8
    header = orjson.loads(data[at : at + length])
    at += length
    if header["url"] != url or header["tag"] != tag or header["size"] != size:
        return None
    snapshot = IndexSnapshot(
        size=int(header["size"]),
        tag=str(header["tag"]),
        end=int(header["end"]),
        line_count=int(header["line_count"]),
        pending_tail=int(header["pending_tail"]),
        last_line_start=int(header["last_line_start"]),
        fingerprint=bytes.fromhex(header["fingerprint"]),
        sessions=[(int(line), Session.from_dict(record)) for line, record in header["sessions"]],
        problems=[Problem(int(line), str(reason)) for line, reason in header["problems"]],
    )
    for (name, code), (stored_name, stored_code, itemsize, count) in zip(_ARRAYS, header["arrays"], strict=True):
        values = array(code)
        if stored_name != name or stored_code != code or itemsize != values.itemsize:
            return None
        width = itemsize * count
        values.frombytes(data[at : at + width])
        if len(values) != count:
            return None
        at += width
        setattr(snapshot, name, values)
    if at != len(data) or not len(snapshot.starts) == len(snapshot.ends) == len(snapshot.lines):
        return None
    if snapshot.end + snapshot.pending_tail > size or any(end > snapshot.end for end in snapshot.ends[-1:]):
        return None
    return snapshot
