"""The session list's summaries kept on disk, so a folder opened again reads no recording at all.

One file per folder under the user's cache directory (next to the remote-index cache:
``$VCR_TUI_CACHE``, else ``$XDG_CACHE_HOME/vcr-tui``, else ``~/.cache/vcr-tui``), in
``sessions/``. Each recording's summary is stored with the (size, modification time) it was read
at; a file whose size or time differ is read again. The file is written atomically (a temporary
file renamed into place) and carries a format version: one that does not read back whole, or
whose version, folder or entries do not check out, is ignored and rebuilt without a word.

A cached summary is trusted for display only, and only as much as the file itself was: the
strings are the file's own, shown through the same sanitising as a fresh read; the cache never
names a path to act on (paths are always the folder's listing).

Beside each summary it keeps how wide the list draws that session's row (``row_widths``), so the
process that scans a folder opened again sends them on instead of building every row to measure
it; they are tied to the file's stamp and to the list's ``ROW_LAYOUT``, and are only ever column
widths (a wrong one draws a column too wide or too narrow, never anything else).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from recorder.index_cache import default_cache_dir
from recorder.outcome import RunOutcome
from vcr_tui.logic.session_cells import ROW_LAYOUT, are_widths
from vcr_tui.logic.sessions import SessionEntry, summarize, summary_and_stamp

FORMAT = "vcr-tui session summaries"
VERSION = 1  # raised whenever what a summary holds, or how it is read, changes
SETTLED_NS = 2_000_000_000  # a file changed this recently may change again within its time stamp's grain
_READ_ATTEMPTS = 3

Stamp = tuple[int, int]
"""A file's (size in bytes, modification time in nanoseconds)."""

_OUTCOMES = {outcome.value: outcome for outcome in RunOutcome}
_STR = {str}
_ERROR, _OUTCOME = 11, 12  # where a record holds the error and the outcome (see ``to_record``)


def cache_folder() -> Path:
    """Where the summaries of every folder are kept (beside the remote-index cache)."""
    return default_cache_dir().parent / "sessions"


def cache_file(folder: Path) -> Path:
    """The one file holding ``folder``'s summaries, named after its resolved path."""
    digest = hashlib.sha256(os.fsencode(os.path.realpath(folder))).hexdigest()[:32]
    return cache_folder() / f"{digest}.json"


def stamp_of(info: os.stat_result) -> Stamp:
    return (info.st_size, info.st_mtime_ns)


def to_record(stamp: Stamp, entry: SessionEntry) -> list[Any]:
    """The entry as a JSON list (positions, not names: ten thousand of them are read at start)."""
    return [
        stamp[0],
        stamp[1],
        entry.session_id,
        entry.created_at,
        entry.frames,
        entry.tokens,
        entry.cost_usd,
        list(entry.tags),
        entry.parent_session_id,
        entry.forked_from_frame,
        entry.problems,
        entry.error,
        entry.outcome.value if entry.outcome is not None else None,
        entry.metadata_text,
    ]


def record_checks_out(record: object) -> bool:
    """Whether every field of a record is what it must be (before anything is built from it).

    (``type(...) is int`` on purpose: it is the quick test, and it turns booleans away.)
    """
    if type(record) is not list or len(record) != 14:
        return False
    size, mtime, session_id, created, frames, tokens, cost, tags, parent, forked, problems, error, outcome, text = (
        record
    )
    if not (type(size) is int and type(mtime) is int and type(frames) is int and type(tokens) is int):
        return False
    if not (type(problems) is int and type(cost) in (int, float) and (forked is None or type(forked) is int)):
        return False
    if not (type(session_id) is str and type(created) is str and type(text) is str):
        return False
    if not (type(tags) is list and set(map(type, tags)) <= _STR):
        return False
    if not ((parent is None or type(parent) is str) and (error is None or type(error) is str)):
        return False
    return outcome is None or outcome in _OUTCOMES


def from_record(path: Path, record: object) -> tuple[Stamp, SessionEntry] | None:
    """The stamp and entry a record holds, or None when any field is not what it must be."""
    if not record_checks_out(record):
        return None
    assert type(record) is list
    return (record[0], record[1]), entry_of(path, record)


def entry_of(path: Path, record: list[Any]) -> SessionEntry:
    """The entry a record holds, which must have checked out (``record_checks_out``)."""
    size, mtime, session_id, created, frames, tokens, cost, tags, parent, forked, problems, error, outcome, text = (
        record
    )
    return SessionEntry(  # by position, in the fields' order: ten thousand are made at once
        path,
        session_id,
        created,
        frames,
        tokens,
        float(cost),
        tuple(tags),
        parent,
        forked,
        problems,
        error,
        _OUTCOMES[outcome] if outcome is not None else None,
        text,
        0,  # depth
        (),  # children
        (size, mtime) if size or mtime else None,
    )


def shown_running(record: list[Any]) -> list[Any]:
    """A copy of a record whose file a writer holds open: its run is shown as running."""
    if record[_ERROR] is not None:
        return record
    held = list(record)
    held[_OUTCOME] = RunOutcome.RUNNING.value
    return held


def read_summary(path: Path, listed: Stamp | None = None) -> tuple[Stamp | None, SessionEntry]:
    """The file's summary and the stamp it holds for (the entry carries it too): a file that
    changes while it is read is read again (a few times at most); the stamp is None when it
    never held still, or cannot be had, so nothing is kept for it.

    ``listed``: the stamp the folder's listing saw, which stands for the first look at the file
    (a change since the listing shows as one while it was read; ten thousand looks are saved). The
    second look, after the read, is at the open file when only its tail was read: as many again.
    """
    entry: SessionEntry | None = None
    for attempt in range(_READ_ATTEMPTS):
        try:
            before = listed if attempt == 0 and listed is not None else stamp_of(os.stat(path))
        except OSError:
            break
        entry, seen = summary_and_stamp(path)
        try:
            if (seen if seen is not None else stamp_of(os.stat(path))) == before:
                entry.stamp = before  # (the entry is new: nothing else holds it yet)
                return before, entry
        except OSError:
            break
    return None, entry if entry is not None else summarize(path)


class FolderSummaries:
    """One folder's summaries: loaded from disk once, consulted by stamp, written back after a scan.

    Kept in memory across rescans too, so a folder whose cache cannot be written is still read
    only once per change while it is open.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._records: dict[str, list[Any]] = {}  # as on disk, checked when looked up
        self._fresh: dict[str, tuple[Stamp, SessionEntry]] = {}  # read while open
        self._widths: dict[str, list[Any]] = {}  # [size, mtime, outcome, *row widths], checked when used
        self._loaded = False
        self._changed = False
        self.lock = threading.Lock()  # held by the scan that uses them

    def load(self) -> None:
        """Read the cache file (once); a missing, foreign or damaged one leaves nothing known."""
        if self._loaded:
            return
        self._loaded = True
        try:
            data = orjson.loads(cache_file(self.folder).read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
            return
        entries = data.get("entries")
        if data.get("folder") != os.path.realpath(self.folder) or not isinstance(entries, dict):
            return
        self._records = {name: record for name, record in entries.items() if type(record) is list}
        widths = data.get("widths")
        if data.get("layout") == ROW_LAYOUT and isinstance(widths, dict):
            self._widths = {name: kept for name, kept in widths.items() if type(kept) is list}

    def row_widths(self, name: str, record: list[Any], measure: Callable[[], tuple[int, ...]]) -> list[int]:
        """How wide the list draws the row of a checked record: as kept for the file at the
        record's stamp and outcome (a run a writer holds is shown running), else ``measure()``'d
        now and kept (written with the record)."""
        kept = self._widths.get(name)
        key = [record[0], record[1], record[_OUTCOME]]
        if kept is not None and kept[:3] == key and are_widths(kept[3:]):
            return kept[3:]
        widths = list(measure())
        self._widths[name] = key + widths
        self._changed = self._changed or name in self._records
        return widths

    def lookup(self, path: Path, stamp: Stamp) -> SessionEntry | None:
        """The summary read when the file had this very size and time, if there is one."""
        fresh = self._fresh.get(path.name)
        if fresh is not None:
            return fresh[1] if fresh[0] == stamp else None
        record = self._records.get(path.name)
        if record is None or record[:2] != [stamp[0], stamp[1]]:
            return None
        known = from_record(path, record)
        if known is None:
            del self._records[path.name]  # damaged: read the file again, and keep that instead
            self._changed = True
            return None
        return known[1]

    def lookup_record(self, name: str, stamp: Stamp) -> list[Any] | None:
        """The summary of the file of this name at this stamp as a record, checked: what the
        process scanning for the app sends on without building an entry for it."""
        fresh = self._fresh.get(name)
        if fresh is not None:
            return to_record(*fresh) if fresh[0] == stamp else None
        record = self._records.get(name)
        if record is None or record[:2] != [stamp[0], stamp[1]]:
            return None
        if not record_checks_out(record):
            del self._records[name]  # damaged: read the file again, and keep that instead
            self._changed = True
            return None
        return record

    def remember(self, stamp: Stamp | None, entry: SessionEntry, *, now_ns: int | None = None) -> None:
        """Keep a fresh summary; on disk only once its file has been still for a moment (a change
        within the same tick of a coarse clock would not show in the stamp). A file that could not
        be read is not kept at all: making it readable changes neither its size nor its time."""
        name = entry.path.name
        had = self._records.pop(name, None) is not None
        if stamp is None or entry.error is not None:
            self._fresh.pop(name, None)
            self._changed = self._changed or had
            return
        self._fresh[name] = (stamp, entry)
        if stamp[1] <= (time.time_ns() if now_ns is None else now_ns) - SETTLED_NS:
            self._records[name] = to_record(stamp, entry)
        self._changed = True

    def keep_only(self, names: set[str]) -> None:
        """Forget files no longer in the folder, so the cache does not grow with deleted runs."""
        tables: tuple[dict[str, Any], ...] = (self._fresh, self._records, self._widths)
        for table in tables:
            gone = [name for name in table if name not in names]
            for name in gone:
                del table[name]
            self._changed = self._changed or bool(gone)

    def save(self) -> bool:
        """Write the cache file if anything changed; False (and no message) when it cannot be written."""
        if not self._changed:
            return True
        body = {
            "format": FORMAT,
            "version": VERSION,
            "folder": os.path.realpath(self.folder),
            "entries": self._records,
            "layout": ROW_LAYOUT,
            "widths": {name: kept for name, kept in self._widths.items() if name in self._records},
        }
        target = cache_file(self.folder)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".sessions-", suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(orjson.dumps(body))
                os.replace(temporary, target)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            return False
        self._changed = False
        return True
