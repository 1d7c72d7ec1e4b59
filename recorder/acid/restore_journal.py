"""A written record of a restore in progress, so a process killed half-way can be undone later.

Applying a plan renames entries aside and staged entries into place (see ``restore``). An error
is reversed in memory, but a SIGKILL (or a power cut) leaves the folder half-restored, with
hidden ``.vcr-tui-new-*`` / ``.vcr-tui-old-*`` entries beside the user's files. So each step is
written to a journal in the repository's private folder *before* it is taken; the journal is
deleted once the restore is complete. The next ``attach`` finds the journal of a process that is
gone and replays it backwards: every rename reversed, every folder it made removed, every staged
entry deleted; the folder is then exactly as it was before the restore began. A journal that
reached ``applied`` only lacks its clean-up, which is finished instead.

Each line is written with one ``write`` call before the step, so a kill can only lose a step
that was never taken. Paths are stored with ``surrogateescape`` (via ``json``'s own escaping), so
a file name that is not UTF-8 comes back byte for byte.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from recorder.acid.layout import RepositoryLayout
from recorder.acid.processes import process_alive

_PREFIX = "restore-journal-"


@dataclass(frozen=True)
class RecoveredRestore:
    """What a journal left by a dead process was turned into.

    ``undone`` is True when the restore had not finished and was reversed (so ``undo_ref``, the
    snapshot taken before it, names a rollback that never happened); False when it had been
    applied and only its clean-up was finished.
    """

    undone: bool
    undo_ref: str
    entries: int


class RestoreJournal:
    """The write side: one journal for one ``apply_plan`` call of this process."""

    def __init__(self, layout: RepositoryLayout, undo_ref: str) -> None:
        folder = layout.private_dir
        folder.mkdir(parents=True, exist_ok=True)
        self.undo_ref = undo_ref
        self.path = folder / f"{_PREFIX}{os.getpid()}-{os.urandom(4).hex()}"
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC, 0o600)
        self._log({"undo_ref": undo_ref})

    def staged(self, path: Path) -> None:
        self._log({"staged": os.fsdecode(path)})

    def renaming(self, source: Path, destination: Path, *, aside: bool = False) -> None:
        """``aside``: ``destination`` holds the old entry, to be deleted once the restore is done."""
        self._log({"rename": [os.fsdecode(source), os.fsdecode(destination)], "aside": aside})

    def making(self, folder: Path) -> None:
        self._log({"mkdir": os.fsdecode(folder)})

    def applied(self, emptied: list[Path]) -> None:
        """Every entry is in place: from here on a recovery only finishes the clean-up, which
        deletes the set-aside entries and then the folders in ``emptied`` that are empty."""
        self._log({"applied": [os.fsdecode(folder) for folder in emptied]})

    def finish(self) -> None:
        """The restore is over (done, or reversed in this process): nothing is left to recover."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def _log(self, entry: dict[str, object]) -> None:
        line = (json.dumps(entry) + "\n").encode("utf-8", "surrogateescape")
        view = memoryview(line)
        while view:
            view = view[os.write(self._fd, view) :]


def recover_interrupted_restores(layout: RepositoryLayout) -> list[RecoveredRestore]:
    """Undo (or finish) every restore whose process died; journals of live processes are left alone."""
    try:
        journals = sorted(layout.private_dir.glob(f"{_PREFIX}*"))
    except OSError:
        return []
    recovered: list[RecoveredRestore] = []
    for journal in journals:
        pid_text = journal.name[len(_PREFIX) :].split("-")[0]
        if pid_text.isdigit() and process_alive(int(pid_text)):
            continue
        entries = _read(journal)
        recovered.append(_recover(entries))
        journal.unlink()
    return recovered


def _read(journal: Path) -> list[dict[str, object]]:
    """The journal's complete lines; a last line cut by the kill is a step never taken."""
    entries: list[dict[str, object]] = []
    for line in journal.read_bytes().split(b"\n"):
        try:
            entry = json.loads(line.decode("utf-8", "surrogateescape"))
        except ValueError:
            continue
        if isinstance(entry, dict):
            entries.append(entry)
    return entries


def _recover(entries: list[dict[str, object]]) -> RecoveredRestore:
    undo_ref = next((str(entry["undo_ref"]) for entry in entries if "undo_ref" in entry), "")
    applied: list[object] | None = None
    for entry in entries:
        if isinstance(found := entry.get("applied"), list):
            applied = found
    staged = [Path(str(entry["staged"])) for entry in entries if "staged" in entry]
    if applied is not None:
        # Only the set-aside entries (the old versions), stray staged ones and emptied folders are left.
        discard(pair[1] for entry in entries if entry.get("aside") and (pair := _renamed(entry)) is not None)
        discard(staged)
        remove_empty_folders(Path(str(folder)) for folder in applied)
        return RecoveredRestore(undone=False, undo_ref=undo_ref, entries=len(entries))
    for entry in reversed(entries):
        if (pair := _renamed(entry)) is not None:
            source, destination = pair
            if _exists(destination) and not _exists(source):
                with contextlib.suppress(OSError):
                    os.rename(destination, source)
        elif "mkdir" in entry:
            with contextlib.suppress(OSError):
                Path(str(entry["mkdir"])).rmdir()  # only ever removes an empty folder
    discard(staged)
    return RecoveredRestore(undone=True, undo_ref=undo_ref, entries=len(entries))


def remove_empty_folders(folders: Iterable[Path]) -> None:
    """Remove each folder that is empty, in the order given (deepest first); others stay."""
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()


def _renamed(entry: dict[str, object]) -> tuple[Path, Path] | None:
    pair = entry.get("rename")
    if not isinstance(pair, list) or len(pair) != 2:
        return None
    return Path(str(pair[0])), Path(str(pair[1]))


def _exists(path: Path) -> bool:
    try:
        os.lstat(path)
    except OSError:
        return False
    return True


def discard(paths: Iterable[Path]) -> None:
    """Remove staged or set-aside entries; a set-aside folder holds only what the plan deletes."""
    for path in paths:
        try:
            info = os.lstat(path)
        except OSError:
            continue
        with contextlib.suppress(OSError):
            if stat.S_ISDIR(info.st_mode):
                shutil.rmtree(path)
            else:
                path.unlink()
