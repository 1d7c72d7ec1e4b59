"""Notice recordings appearing, growing and disappearing in a folder (the session browser).

A folder of runs changes slowly next to a file being written (a new session every few seconds
at most), so a listing every half second is plenty; each file's (inode, size, mtime) tells new
frames from nothing new without opening it. A fork written next to its parent shows up as
``added`` and is then followed like any other file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DIRECTORY_POLL_INTERVAL = 0.5


@dataclass(frozen=True, slots=True)
class DirectoryChanges:
    """Paths that appeared, disappeared, or changed (grew or were replaced) since the last poll."""

    added: tuple[Path, ...] = ()
    removed: tuple[Path, ...] = ()
    changed: tuple[Path, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


class DirectoryWatcher:
    """Lists ``*<suffix>`` files of one folder and reports the difference on each ``poll()``."""

    def __init__(self, folder: str | os.PathLike[str], suffix: str = ".vcr") -> None:
        self.folder = Path(folder)
        self.suffix = suffix
        self._seen = self._scan()

    @property
    def files(self) -> list[Path]:
        """The recordings as of the last poll, by name."""
        return sorted(self._seen)

    def stamps(self) -> dict[Path, tuple[int, int]]:
        """Each recording's (size, modification time) as of the last poll."""
        return {path: (size, mtime) for path, (_inode, size, mtime) in self._seen.items()}

    def poll(self) -> DirectoryChanges:
        """What changed since the previous poll (or since the watcher was made)."""
        now = self._scan()
        added = tuple(sorted(path for path in now if path not in self._seen))
        removed = tuple(sorted(path for path in self._seen if path not in now))
        changed = tuple(sorted(path for path, stamp in now.items() if path in self._seen and self._seen[path] != stamp))
        self._seen = now
        return DirectoryChanges(added, removed, changed)

    def _scan(self) -> dict[Path, tuple[int, int, int]]:
        found: dict[Path, tuple[int, int, int]] = {}
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return found  # folder gone or unreadable: everything counts as removed
        for entry in entries:
            if not entry.name.endswith(self.suffix) or entry.name.startswith("."):
                continue
            try:
                if not entry.is_file():
                    continue
                stat = entry.stat()
            except OSError:
                continue  # removed between listing and stat
            found[Path(entry.path)] = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        return found
