"""Scanning a folder of recordings for the session list: cached summaries first, then the rest.

A summary costs a few reads and a little parsing, which for ten thousand files is most of a
second of Python: done on a thread of the app it would take the interpreter from the UI for all
that time. So the files the cache does not know are read by a separate process (when there are
enough of them to pay for starting one), which streams the summaries back a line each; the
app's thread only waits on the pipe, decodes and hands them on in batches. Files are read newest
first, so the top of the list (newest first by default) fills first.

No widgets here: the folder view runs ``FolderScan.batches()`` in a worker.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import orjson

from recorder.outcome import RunOutcome
from recorder.writers import held_for_writing
from vcr_tui.sessions import SUFFIX, SessionEntry
from vcr_tui.summary_cache import FolderSummaries, Stamp, from_record, read_summary, stamp_of

ELSEWHERE_FROM = 200  # this many unknown files or more are read by another process
FIRST_BATCH = 40  # a screenful: the first rows are handed on at once
BATCH_SECONDS = 0.1  # then batches this far apart
_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)
# The child imports this checkout's package first, and never a module from the current folder.
_CHILD = "import sys; sys.path[0] = sys.argv.pop(1); from vcr_tui.summary_worker import main; main()"


@dataclass(frozen=True, slots=True)
class ScanBatch:
    """Summaries just read, and how far the scan has come."""

    entries: list[SessionEntry]
    read: int
    total: int


def list_recordings(folder: Path) -> tuple[list[tuple[Path, Stamp]], set[Path]]:
    """The folder's recordings with their stamps, most recently written first; and which of
    them are symbolic links (the listing says so for free)."""
    found: list[tuple[int, str, Path, Stamp]] = []
    links: set[Path] = set()
    try:
        with os.scandir(folder) as listing:
            for item in listing:
                if not item.name.endswith(SUFFIX):
                    continue
                try:
                    if item.is_file():
                        info = item.stat()
                        path = folder / item.name
                        found.append((-info.st_mtime_ns, item.name, path, stamp_of(info)))
                        if item.is_symlink():
                            links.add(path)
                except OSError:
                    continue  # removed between the listing and the look at it
    except OSError:
        return [], set()
    found.sort(key=lambda item: item[:2])
    return [(path, stamp) for _, _, path, stamp in found], links


class FolderScan:
    """One pass over a folder; ``stop()`` (from any thread) ends it and the process reading for it."""

    def __init__(self, folder: Path, summaries: FolderSummaries) -> None:
        self.folder = folder
        self.summaries = summaries
        self._stopped = threading.Event()
        self._child: subprocess.Popen[bytes] | None = None

    def stop(self) -> None:
        self._stopped.set()
        child = self._child
        if child is not None and child.poll() is None:
            child.kill()

    def batches(self, cancelled: Callable[[], bool] = lambda: False) -> Iterator[ScanBatch]:
        """Every recording's summary, in batches: the cached ones at once, then as they are read.

        What was read is written to the cache at the end, or when the scan is stopped part way.
        """
        with self.summaries.lock:  # one scan at a time uses them: a rescan waits for the last to stop
            yield from self._batches(cancelled)

    def _batches(self, cancelled: Callable[[], bool]) -> Iterator[ScanBatch]:
        listing, links = list_recordings(self.folder)
        summaries = self.summaries
        summaries.load()
        summaries.keep_only({path.name for path, _ in listing})
        writing = held_for_writing([path for path, _ in listing], links=links)
        known: list[SessionEntry] = []
        unknown: list[Path] = []
        for path, stamp in listing:
            entry = summaries.lookup(path, stamp)
            if entry is None:
                unknown.append(path)
            else:
                known.append(_as_shown(entry, writing))
        total, read = len(listing), len(known)
        batch: list[SessionEntry] = []
        last, first = time.monotonic(), True
        try:
            yield ScanBatch(known, read, total)
            for stamp, entry in self._read(unknown):
                if cancelled() or self._stopped.is_set():
                    return
                summaries.remember(stamp, entry)
                batch.append(_as_shown(entry, writing))
                read += 1
                now = time.monotonic()
                if len(batch) >= FIRST_BATCH if first else now - last >= BATCH_SECONDS:
                    yield ScanBatch(batch, read, total)
                    batch, last, first = [], now, False
            if unknown:
                yield ScanBatch(batch, read, total)
        finally:
            summaries.save()

    def _read(self, paths: list[Path]) -> Iterator[tuple[Stamp | None, SessionEntry]]:
        """Summaries of ``paths`` in order: from a child process for many, here for a few (or
        for whatever a child that failed did not get to)."""
        done = 0
        if len(paths) >= ELSEWHERE_FROM:
            for result in self._read_elsewhere(paths):
                yield result
                done += 1
        for path in paths[done:]:
            if self._stopped.is_set():
                return
            yield read_summary(path)

    def _read_elsewhere(self, paths: list[Path]) -> Iterator[tuple[Stamp | None, SessionEntry]]:
        try:
            child = subprocess.Popen(
                [sys.executable, "-c", _CHILD, _PACKAGE_ROOT, os.path.abspath(self.folder)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,  # the terminal is the app's: nothing of the child's reaches it
                start_new_session=True,
            )
        except OSError:
            return
        self._child = child
        assert child.stdin is not None and child.stdout is not None
        try:
            try:
                child.stdin.write(orjson.dumps([path.name for path in paths]))
                child.stdin.close()
            except OSError:
                return
            for expected, line in zip(paths, child.stdout, strict=False):
                result = _decoded(expected, line)
                if result is None:
                    return  # not what was asked for: the rest is read here
                yield result
        finally:
            if child.poll() is None:
                child.kill()
            child.wait()
            child.stdout.close()
            self._child = None


def _decoded(expected: Path, line: bytes) -> tuple[Stamp | None, SessionEntry] | None:
    try:
        name, record, held_still = orjson.loads(line)
    except (orjson.JSONDecodeError, ValueError, TypeError):
        return None
    if name != expected.name:
        return None
    known = from_record(expected, record)
    if known is None:
        return None
    stamp, entry = known
    return (stamp if held_still is True else None), entry


def _as_shown(entry: SessionEntry, writing: set[Path]) -> SessionEntry:
    """Summaries are kept as if no writer held the file; one that is held is shown running."""
    if entry.path in writing and entry.error is None:
        return replace(entry, outcome=RunOutcome.RUNNING)
    return entry
