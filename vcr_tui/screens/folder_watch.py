"""The folder view's side of following: sessions appear, grow and vanish while it is open.

A ``DirectoryWatcher`` compares listings every half second (on a short worker, never the UI
thread). New files are summarized and slotted in, forks under their parents, by the same
``nest_forks`` the first scan uses. A file that keeps growing is summarized again at most once
a second, and less often when summarizing it is slow (a big file is indexed each time), so a
busy writer cannot keep a core busy on the list.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work

from recorder.outcome import RunOutcome
from recorder.writers import held_for_writing
from vcr_tui.logic.sessions import SessionEntry, summarize
from vcr_tui.messages import FolderChanged
from vcr_tui.sources.directory import DIRECTORY_POLL_INTERVAL, DirectoryWatcher

if TYPE_CHECKING:
    from textual.timer import Timer

REFRESH_GROWING_AFTER = 1.0  # seconds between two summaries of the same growing file, at least
_REFRESH_COST_FACTOR = 10  # ... and at least ten times what the last summary of it took


class FolderWatching:
    """Watching for ``DirectoryScreen`` (a mixin: it merges into the screen's entries)."""

    if TYPE_CHECKING:  # provided by DirectoryScreen and Screen
        folder: Path
        entries: list[SessionEntry]
        scan_done: bool
        _scan_number: int

        def _rebuild(self) -> None: ...
        def post_message(self, message: object) -> bool: ...
        def set_interval(self, interval: float, callback: object) -> Timer: ...

    def start_watching(self) -> None:
        """Begin noticing changes; the first scan's results are the starting point."""
        self._folder_watcher = DirectoryWatcher(self.folder)  # before the first scan lists the folder
        self._watch_busy = False
        self._folder_stale: set[Path] = set()
        self._folder_summarized: dict[Path, tuple[float, float]] = {}  # path: (when, seconds it took)
        self._scan_checked = -1  # the scan whose summaries were last held against the watcher's listing
        self.set_interval(DIRECTORY_POLL_INTERVAL, self._poll_folder)

    def _poll_folder(self) -> None:
        if not self.scan_done or self._watch_busy:
            return  # changes keep until the next poll: the watcher compares with its last listing
        self._watch_busy = True
        self._folder_worker()

    @work(thread=True, group="watch", exit_on_error=False)
    def _folder_worker(self) -> None:
        entries: list[SessionEntry] = []
        removed: list[Path] = []
        try:
            changes = self._folder_watcher.poll()
            if self._scan_checked != self._scan_number:
                # The scan may have listed the folder before the watcher did (a helper process
                # starts before the app): what it missed or read at another stamp is read again.
                self._scan_checked = self._scan_number
                read_at = {entry.path: entry.stamp for entry in self.entries}
                stamps = self._folder_watcher.stamps()
                self._folder_stale.update(path for path, stamp in stamps.items() if read_at.get(path) != stamp)
            removed = list(changes.removed)
            self._folder_stale.difference_update(changes.removed)
            self._folder_stale.update(changes.changed)
            now = time.monotonic()
            due = [path for path in self._folder_stale if self._due(path, now)]
            self._folder_stale.difference_update(due)
            running = [entry.path for entry in self.entries if entry.outcome is RunOutcome.RUNNING]
            candidates = list(dict.fromkeys([*changes.added, *due, *running]))
            writing = held_for_writing(candidates)
            # A run whose writer let go without writing anything (killed) is no longer running.
            gone = set(changes.removed)
            ended = [path for path in running if path not in writing and path not in due and path not in gone]
            for path in list(dict.fromkeys([*changes.added, *due, *ended])):
                started = time.monotonic()
                entries.append(summarize(path, writer_active=path in writing))
                self._folder_summarized[path] = (time.monotonic(), time.monotonic() - started)
        finally:
            self.post_message(FolderChanged(entries, removed))

    def _due(self, path: Path, now: float) -> bool:
        when, took = self._folder_summarized.get(path, (0.0, 0.0))
        return now - when >= max(REFRESH_GROWING_AFTER, took * _REFRESH_COST_FACTOR)

    def on_folder_changed(self, message: FolderChanged) -> None:
        self._watch_busy = False
        if not message.entries and not message.removed:
            return
        replaced = {entry.path for entry in message.entries} | set(message.removed)
        self.entries = [entry for entry in self.entries if entry.path not in replaced] + message.entries
        self._rebuild()
