"""The golden-run folder: ``<fingerprint>.vcr`` files plus ``index.json``, as the peer lays it out.

Every write goes to a temporary file in the folder and is renamed into place, so a reader sees
the old file or the new one and never half of one; a lock file (``.lock``, ``flock``) makes two
processes that save at once take turns, so neither loses the other's entry. The index is a
summary, never the truth: an index that is missing, unreadable, or disagrees with the files is
rebuilt from the files' own headers, with a problem saying so, and never raises.

Paths written in an index are not followed (the file of a fingerprint is always
``<fingerprint>.vcr`` in this folder), so an index from elsewhere cannot point reads at other files.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from recorder.coerce import optional_float, optional_int, optional_str
from recorder.models import Session
from recorder.reader import VCRReader

INDEX_NAME = "index.json"
LOCK_NAME = ".lock"
SUFFIX = ".vcr"
TASK_KEY = "golden_task"
"""Session metadata key a golden file keeps its task under (the index can be rebuilt from it)."""

_FINGERPRINT = re.compile(r"[0-9a-f]{16}")

try:
    import fcntl

    _flock: Any = fcntl.flock
    _SHARED, _EXCLUSIVE = fcntl.LOCK_SH, fcntl.LOCK_EX
except ImportError:  # pragma: no cover - not on Windows
    _flock, _SHARED, _EXCLUSIVE = None, 0, 0


def fingerprint(task: str) -> str:
    """The task's key, as the peer computes it (so its folders are found by the same task text)."""
    return hashlib.sha256(task.strip().lower().encode()).hexdigest()[:16]


def is_fingerprint(text: str) -> bool:
    return _FINGERPRINT.fullmatch(text) is not None


@dataclass(slots=True)
class GoldenEntry:
    """One golden run as the index lists it."""

    fingerprint: str
    task: str | None
    session_id: str = ""
    frame_count: int = 0
    total_tokens: int = 0
    total_cost_usd: float = 0.0
    created_at: str = ""
    tags: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_index(self, folder: Path) -> dict[str, Any]:
        """The entry in the peer's index shape (``file`` is written for it; never read back)."""
        return {
            **self.extra,
            "task": self.task,
            "session_id": self.session_id,
            "frame_count": self.frame_count,
            "total_tokens": self.total_tokens,
            "total_cost_usd": self.total_cost_usd,
            "created_at": self.created_at,
            "tags": self.tags,
            "file": os.path.abspath(folder / f"{self.fingerprint}{SUFFIX}"),
        }

    @classmethod
    def of_header(cls, fp: str, task: str | None, header: Session, count: int, **fields: Any) -> GoldenEntry:
        """The entry of a golden file with this last header (``fields`` override what it says)."""
        meta = header.metadata
        values: dict[str, Any] = {
            "session_id": header.session_id,
            "frame_count": count,
            "total_tokens": header.total_tokens,
            "total_cost_usd": header.total_cost_usd,
            "created_at": optional_str(meta.get("golden_saved_at")) or header.updated_at,
            "tags": list(header.tags),
        }
        values.update(fields)
        return cls(fingerprint=fp, task=task, **values)

    @classmethod
    def from_index(cls, fp: str, data: dict[str, Any]) -> GoldenEntry:
        tags = data.get("tags")
        known = ("task", "session_id", "frame_count", "total_tokens", "total_cost_usd", "created_at", "tags", "file")
        return cls(
            fingerprint=fp,
            task=optional_str(data.get("task")),
            session_id=optional_str(data.get("session_id")) or "",
            frame_count=optional_int(data.get("frame_count")) or 0,
            total_tokens=optional_int(data.get("total_tokens")) or 0,
            total_cost_usd=optional_float(data.get("total_cost_usd")) or 0.0,
            created_at=optional_str(data.get("created_at")) or "",
            tags=[t for t in tags if isinstance(t, str)] if isinstance(tags, list) else [],
            extra={k: v for k, v in data.items() if k not in known and isinstance(k, str)},
        )


class GoldenFolder:
    """Reads and writes one golden-run folder; ``problems`` says what had to be mended."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.path = Path(folder)
        self.problems: list[str] = []

    def file_of(self, fp: str) -> Path:
        if not is_fingerprint(fp):
            raise ValueError(f"not a golden-run fingerprint: {fp!r}")
        return self.path / f"{fp}{SUFFIX}"

    # -- locking and atomic writes -----------------------------------------------------------

    @contextlib.contextmanager
    def locked(self, *, exclusive: bool) -> Iterator[None]:
        """Hold the folder's lock; shared for reading, exclusive for changing. No-op if unlockable."""
        if _flock is None:
            yield
            return
        try:
            if exclusive:
                self.path.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path / LOCK_NAME, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError:
            if exclusive:
                raise
            yield  # a read-only folder: nobody can be writing it through us
            return
        try:
            _flock(fd, _EXCLUSIVE if exclusive else _SHARED)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def temp_file(self, fp: str) -> tuple[int, Path]:
        """A new hidden temporary file in the folder (renamed into place when complete)."""
        fd, name = tempfile.mkstemp(prefix=f".{fp}.", suffix=".tmp", dir=self.path)
        return fd, Path(name)

    def write_index(self, entries: dict[str, GoldenEntry]) -> None:
        """Replace ``index.json`` atomically. Call with the exclusive lock held."""
        data = {fp: entry.to_index(self.path) for fp, entry in entries.items()}
        fd, temp = self.temp_file("index")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(orjson.dumps(data, option=orjson.OPT_INDENT_2))
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, self.path / INDEX_NAME)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    # -- reading ------------------------------------------------------------------------------

    def read_entries(self) -> tuple[dict[str, GoldenEntry], bool]:
        """The index reconciled with the files: (entries, whether the index needs writing again)."""
        self.problems = []
        listed, stale = self._read_index()
        files = {p.stem: p for p in self._golden_files()}
        entries: dict[str, GoldenEntry] = {}
        for fp, entry in listed.items():
            if fp in files:
                entries[fp] = entry
            else:
                self.problems.append(f"index lists {fp} but {fp}{SUFFIX} is missing: entry dropped")
                stale = True
        for fp, path in files.items():
            if fp not in entries:
                entries[fp] = entry_from_file(fp, path)
                self.problems.append(f"{path.name} was not in the index: added from its header")
                stale = True
        return entries, stale

    def _read_index(self) -> tuple[dict[str, GoldenEntry], bool]:
        index = self.path / INDEX_NAME
        try:
            raw = index.read_bytes()
        except FileNotFoundError:
            return {}, any(True for _ in self._golden_files())
        except OSError as exc:
            self.problems.append(f"{INDEX_NAME} unreadable ({exc.strerror or exc}): rebuilt from the files")
            return {}, True
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            self.problems.append(f"{INDEX_NAME} is not valid JSON ({exc}): rebuilt from the files")
            return {}, True
        if not isinstance(data, dict):
            self.problems.append(f"{INDEX_NAME} is not a JSON object: rebuilt from the files")
            return {}, True
        entries: dict[str, GoldenEntry] = {}
        stale = False
        for fp, value in data.items():
            if not is_fingerprint(fp) or not isinstance(value, dict):
                self.problems.append(f"{INDEX_NAME}: entry {str(fp)[:40]!r} is malformed: ignored")
                stale = True
                continue
            entries[fp] = GoldenEntry.from_index(fp, value)
        return entries, stale

    def _golden_files(self) -> Iterator[Path]:
        try:
            children = list(self.path.iterdir())
        except OSError:
            return
        for child in sorted(children):
            if child.suffix == SUFFIX and is_fingerprint(child.stem) and child.is_file():
                yield child


def entry_from_file(fp: str, path: Path) -> GoldenEntry:
    """An index entry rebuilt from a golden file's last header (ours name the task; the peer's may not)."""
    try:
        with VCRReader(path) as reader:
            session = reader.session
            count = len(reader)
    except OSError:
        return GoldenEntry(fp, None)
    meta = session.metadata
    task = optional_str(meta.get(TASK_KEY)) or optional_str(meta.get("task"))
    return GoldenEntry.of_header(fp, task, session, count)
