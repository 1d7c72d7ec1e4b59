"""The sessions of a folder: one summary per ``.vcr`` file, forks placed under their parents.

A saved run is summarized from its last lines; any other file is indexed (a scan for newlines).
Pure functions: no widgets here (``folder_scan`` runs them for the folder view, off its thread).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recorder.coerce import optional_float, optional_int, optional_str, str_or
from recorder.outcome import RunOutcome
from recorder.writers import held_for_writing

if TYPE_CHECKING:
    from recorder import VCRReader

# Reading recordings (``recorder.reader`` and what it needs, and the frame rows) is loaded by the
# functions that read one: a folder whose summaries are all cached is listed without it, and the
# process that scans a big folder starts in a fraction of the time.

SUFFIX = ".vcr"
_SUM_FRAMES_LIMIT = 5000


@dataclass(slots=True)
class SessionEntry:
    """One recording in a folder, as the session list shows it.

    Never changed once handed out (``replace`` makes a changed copy), but not frozen: a frozen
    dataclass sets each field through ``object.__setattr__``, which made building the ten
    thousand entries of a big folder cost five times what it does.
    """

    path: Path
    session_id: str
    created_at: str = ""
    frames: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    tags: tuple[str, ...] = ()
    parent_session_id: str | None = None
    forked_from_frame: int | None = None
    problems: int = 0
    error: str | None = None
    outcome: RunOutcome | None = None
    metadata_text: str = ""  # the header's metadata values, for the filter
    depth: int = 0
    children: tuple[str, ...] = field(default=(), compare=False)
    stamp: tuple[int, int] | None = field(default=None, compare=False)  # (size, mtime) it was read at, if known


def child_path(folder: Path, name: str) -> Path:
    """``folder / name`` for a bare file name (one from the folder's listing), made without
    parsing the name again: ten thousand are made when a big folder opens, at a fifth of the cost."""
    make = getattr(folder, "_make_child_relpath", None)  # pathlib's own way of listing a folder
    if make is None or not name or name in (".", "..") or "/" in name or os.sep in name:
        return folder / name
    child: Path = make(name)
    return child


def recording_files(folder: Path) -> list[Path]:
    """The ``.vcr`` files directly inside ``folder``, by name."""
    try:
        with os.scandir(folder) as entries:
            found = [Path(entry.path) for entry in entries if entry.name.endswith(SUFFIX) and entry.is_file()]
    except OSError:
        return []
    return sorted(found, key=lambda path: path.name)


def summarize(path: Path, *, writer_active: bool = False) -> SessionEntry:
    """The list's facts about one file; a file that cannot be read still gets a row saying why.

    A saved run is read from its last two lines; any other file is indexed.
    """
    return summary_and_stamp(path, writer_active=writer_active)[0]


def summary_and_stamp(path: Path, *, writer_active: bool = False) -> tuple[SessionEntry, tuple[int, int] | None]:
    """``summarize``, and the file's (size, mtime) as the open file had them once read, when only
    its last lines were read (None otherwise: the caller looks at the path itself)."""
    from recorder.run_summary import tail_facts

    quick = tail_facts(path, writer_active=writer_active)
    if quick is not None:
        return _entry_from_tail(path, quick.data, quick.frames, quick.outcome), quick.stamp
    return _indexed(path, writer_active), None


def _indexed(path: Path, writer_active: bool) -> SessionEntry:
    """The summary of a file that does not end in its totals: its frames are indexed."""
    from recorder import RecordingNotFoundError, RecordingUnreadableError, VCRReader
    from recorder.outcome import run_outcome

    try:
        reader = VCRReader(path)
    except (RecordingNotFoundError, RecordingUnreadableError) as exc:
        return SessionEntry(path=path, session_id=path.stem, error=exc.strerror or str(exc))
    with reader:
        session = reader.session
        frames = len(reader)
        tokens, cost = session.total_tokens, session.total_cost_usd
        if not tokens and not cost and 0 < frames <= _SUM_FRAMES_LIMIT:
            tokens, cost = _sum_totals(reader)
        return SessionEntry(
            path=path,
            session_id=session.session_id or path.stem,
            created_at=session.created_at,
            frames=frames,
            tokens=tokens,
            cost_usd=cost,
            tags=tuple(session.tags),
            parent_session_id=session.parent_session_id,
            forked_from_frame=session.forked_from_frame,
            problems=len(reader.problems),
            outcome=run_outcome(reader, writer_active=writer_active),
            metadata_text=metadata_text(session.metadata),
        )


def _entry_from_tail(path: Path, data: dict[str, Any], frames: int, outcome: RunOutcome) -> SessionEntry:
    """The entry of a saved run from its session record's ``data``, each field read exactly as
    ``Session.from_dict`` reads it (a test holds them to that), without building the ``Session``:
    ten thousand are read when a big folder opens."""
    sid, tags, metadata = data.get("session_id"), data.get("tags"), data.get("metadata")
    return SessionEntry(  # by position, in the fields' order
        path,
        (sid if isinstance(sid, str) else "") or path.stem,
        str_or(data.get("created_at"), ""),
        frames,
        optional_int(data.get("total_tokens")) or 0,
        optional_float(data.get("total_cost_usd")) or 0.0,
        tuple(tag for tag in tags if isinstance(tag, str)) if isinstance(tags, list) else (),
        optional_str(data.get("parent_session_id")),
        optional_int(data.get("forked_from_frame")),
        0,  # problems
        None,  # error
        outcome,
        metadata_text(metadata) if isinstance(metadata, dict) and metadata else "",
    )


def metadata_text(metadata: dict[str, object], limit: int = 2000) -> str:
    """The header's metadata values as one line of text (strings and numbers, nested ones too)."""
    parts: list[str] = []

    def walk(value: object, depth: int) -> None:
        if depth > 4 or sum(map(len, parts)) > limit:
            return
        if isinstance(value, dict):
            for item in value.values():
                walk(item, depth + 1)
        elif isinstance(value, list):
            for item in value:
                walk(item, depth + 1)
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            parts.append(str(value))

    walk(metadata, 0)
    return " ".join(parts)[:limit]


def _sum_totals(reader: VCRReader) -> tuple[int, float]:
    """Totals from the frames, for writers that never update the header (the peer's 0.5.0)."""
    from vcr_tui.logic.frame_rows import row_from_line

    tokens, cost = 0, 0.0
    for index in range(len(reader)):
        row = row_from_line(reader.raw(index), index)
        tokens += row.tokens or 0
        cost += row.cost_usd or 0.0
    return tokens, cost


def _created(entry: SessionEntry) -> tuple[str, str]:
    return (entry.created_at, entry.session_id)


def nest_forks(
    entries: list[SessionEntry], *, key: Callable[[SessionEntry], Any] = _created, descending: bool = True
) -> list[SessionEntry]:
    """Entries in display order: runs by ``key`` (newest first by default), each followed by its
    forks in the order they were made.

    A fork whose parent is not in the folder is shown as a run of its own. Parent links that form
    a cycle (a hand-edited file) are broken rather than followed forever.
    """
    children: dict[str, list[SessionEntry]] = {}
    roots = entries
    forks = [entry for entry in entries if entry.parent_session_id]
    if forks:  # (most folders have few or none: the ids are looked up only then)
        by_id = {entry.session_id: entry for entry in reversed(entries)}  # the first of an id wins
        placed_under: set[int] = set()
        for entry in forks:
            parent = entry.parent_session_id
            if parent and parent in by_id and parent != entry.session_id and not _in_cycle(entry, by_id):
                children.setdefault(parent, []).append(entry)
                placed_under.add(id(entry))
        roots = [entry for entry in entries if id(entry) not in placed_under]
    roots = sorted(roots, key=key, reverse=descending)
    ordered: list[SessionEntry] = []
    seen: set[int] = set()  # ids of the entries placed (hashing a Path is not cached)

    def place(entry: SessionEntry, depth: int) -> None:
        if id(entry) in seen:
            return
        seen.add(id(entry))
        kids = sorted(children.get(entry.session_id, []), key=_created)
        nested = tuple(kid.session_id for kid in kids)
        same = entry.depth == depth and entry.children == nested  # most runs: no copy needed
        ordered.append(entry if same else replace(entry, depth=depth, children=nested))
        for kid in kids:
            place(kid, depth + 1)

    for root in roots:
        if root.session_id in children or root.depth or root.children or id(root) in seen:
            place(root, 0)
        else:  # most runs have no fork: placed as they are, without a call or a sort of no children
            seen.add(id(root))
            ordered.append(root)
    if len(ordered) < len(entries):
        for entry in entries:  # anything a broken link left out
            place(entry, 0)
    return ordered


def _in_cycle(entry: SessionEntry, by_id: dict[str, SessionEntry]) -> bool:
    seen = {entry.session_id}
    parent = entry.parent_session_id
    while parent is not None and parent in by_id:
        if parent in seen:
            return True
        seen.add(parent)
        parent = by_id[parent].parent_session_id
    return False


def scan(folder: Path) -> Iterator[SessionEntry]:
    """Summaries of the folder's recordings, one at a time, read here (the folder view reads
    them through ``folder_scan``, with its cache and a helper process)."""
    paths = recording_files(folder)
    writing = held_for_writing(paths)
    for path in paths:
        yield summarize(path, writer_active=path in writing)


def find_session(folder: Path, session_id: str, *, skip: Path | None = None) -> Path | None:
    """The recording in ``folder`` whose header names ``session_id`` (a fork's parent), or None.

    Reads the first line of each file only; the file named after the id is tried first.
    """
    named = folder / f"{session_id}{SUFFIX}"
    candidates = [named] if named.is_file() else []
    candidates += [path for path in recording_files(folder) if path != named]
    for path in candidates:
        if path == skip:
            continue
        if _header_id(path) == session_id:
            return path
    return None


def _header_id(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            first = handle.readline(1 << 20)
    except OSError:
        return None
    from recorder.index import decode_line

    value = decode_line(first).value
    data = value.get("data") if isinstance(value, dict) and value.get("type") == "session" else None
    return data.get("session_id") if isinstance(data, dict) and isinstance(data.get("session_id"), str) else None
