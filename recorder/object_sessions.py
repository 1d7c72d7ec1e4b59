"""The sessions under an object storage prefix, read from each object's first and last bytes.

A recording starts with its session header and every save appends one with the totals, so the
first and the last few kilobytes of an object say what it is without reading the frames between.
All objects' two ranges are asked for in one batch, which the driver sends concurrently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from recorder.index import decode_line
from recorder.models import Session
from recorder.storage import ObjectEntry, ObjectStore, translated_errors

_EDGE = 64 << 10


@dataclass(frozen=True, slots=True)
class ObjectSession:
    """One recording under a prefix: where it is, and its newest header (None when none was found)."""

    entry: ObjectEntry
    session: Session | None

    @property
    def url(self) -> str:
        return self.entry.url


def list_sessions(prefix: str, storage_options: dict[str, Any] | None = None) -> list[ObjectSession]:
    """Every ``.vcr`` object directly under ``prefix`` with its header, by name."""
    store = ObjectStore(prefix, storage_options)
    entries = store.list()
    if not entries:
        return []
    keys, starts, ends = [], [], []
    for entry in entries:
        key = entry.url.split("://", 1)[1]
        keys += [key, key]
        starts += [0, max(0, entry.size - _EDGE)]
        ends += [min(entry.size, _EDGE), entry.size]
    with translated_errors(prefix):
        edges: list[Any] = store.fs.cat_ranges(keys, starts, ends, on_error="return")
    found = []
    for number, entry in enumerate(entries):
        head, tail = edges[2 * number], edges[2 * number + 1]
        head = head if isinstance(head, bytes) else b""
        tail = tail if isinstance(tail, bytes) else b""
        found.append(ObjectSession(entry, _last_header(tail, whole=entry.size <= _EDGE) or _first_header(head)))
    return found


def _first_header(head: bytes) -> Session | None:
    for line in head.split(b"\n")[:-1]:  # the last piece may be cut off
        session = _header(line)
        if session is not None:
            return session
    return None


def _last_header(tail: bytes, *, whole: bool) -> Session | None:
    lines = tail.split(b"\n")
    if not whole:
        lines = lines[1:]  # the first piece is the end of a line that started earlier
    for line in reversed(lines):
        session = _header(line)
        if session is not None:
            return session
    return None


def _header(line: bytes) -> Session | None:
    if b'"session"' not in line:
        return None
    value = decode_line(line).value
    if isinstance(value, dict) and value.get("type") == "session" and isinstance(value.get("data"), dict):
        return Session.from_dict(value["data"])
    return None
