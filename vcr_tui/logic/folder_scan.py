"""Scanning a folder of recordings for the session list: cached summaries first, then the rest.

A summary costs a few reads and a little parsing, and looking up ten thousand cached ones costs
a stat each: for a big folder that is most of a second of Python, which on a thread of the app
would take the interpreter from the UI all that time. So a big folder is scanned by a helper
process (``summary_worker``, started by the command line before the app has even loaded, see
``folder_prefetch``), which streams the summaries back a line each and keeps the cache; the
app's thread only waits on the pipe, decodes and hands them on in batches. A small folder is
scanned right here, which costs less than starting a process. Files are read newest first, so
the top of the list (newest first by default) fills first.

No widgets here: the folder view runs ``FolderScan.batches()`` in a worker.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from recorder.outcome import RunOutcome
from recorder.writers import held_in_folder
from vcr_tui.logic.folder_prefetch import start_helper, take_early
from vcr_tui.logic.session_cells import are_widths, session_widths
from vcr_tui.logic.sessions import SUFFIX, SessionEntry, child_path
from vcr_tui.logic.summary_cache import (
    FolderSummaries,
    Stamp,
    entry_of,
    from_record,
    read_summary,
    shown_running,
    stamp_of,
    to_record,
)

ELSEWHERE_FROM = 200  # a folder of this many recordings or more is scanned by a helper process
FIRST_BATCH = 40  # a screenful: the first rows are handed on at once
BATCH_SECONDS = 0.1  # then batches this far apart
_NO_STAMP = (0, 0)
_UNDRAWN = Path()  # the path of an entry built only to be measured (a row does not show its path)


@dataclass(frozen=True, slots=True)
class ScanBatch:
    """Summaries just read, and how far the scan has come; for the helper process, the cached
    summaries as the cache holds them (``[name, record]``), which it sends on unchanged.

    ``widths`` (from a helper): how wide each entry's row is drawn, so the list builds only the
    rows in view.
    """

    entries: list[SessionEntry]
    read: int
    total: int
    records: list[list[Any]] = field(default_factory=list)
    widths: list[tuple[int, ...]] | None = None


def list_recordings(folder: Path) -> tuple[list[tuple[str, Stamp]], set[str]]:
    """The names of the folder's recordings with their stamps, most recently written first; and
    which of them are symbolic links (the listing says so for free). Names, not paths: the
    process that scans for the app never needs a path made for a file whose summary is cached."""
    found: list[tuple[int, str, Stamp]] = []
    links: set[str] = set()
    try:
        with os.scandir(folder) as listing:
            for item in listing:
                name = item.name
                if not name.endswith(SUFFIX):
                    continue
                try:
                    if item.is_file():
                        info = item.stat()
                        found.append((-info.st_mtime_ns, name, stamp_of(info)))
                        if item.is_symlink():
                            links.add(name)
                except OSError:
                    continue  # removed between the listing and the look at it
    except OSError:
        return [], set()
    found.sort(key=lambda item: item[:2])
    return [(name, stamp) for _, name, stamp in found], links


def _count_recordings(folder: Path) -> int:
    try:
        with os.scandir(folder) as listing:
            return sum(1 for item in listing if item.name.endswith(SUFFIX))
    except OSError:
        return 0


class FolderScan:
    """One pass over a folder; ``stop()`` (from any thread) ends it and the process scanning for it.

    ``helper`` False scans here whatever the size (the helper process itself does so);
    ``records`` hands the cached summaries on as records, not entries (what the helper sends).
    """

    def __init__(self, folder: Path, summaries: FolderSummaries, *, helper: bool = True, records: bool = False) -> None:
        self.folder = folder
        self.summaries = summaries
        self.helper = helper
        self.records = records
        self._stopped = threading.Event()
        self._child: subprocess.Popen[bytes] | None = None

    def stop(self) -> None:
        self._stopped.set()
        child = self._child
        if child is not None and child.poll() is None:
            child.terminate()  # it writes down what it has read, then ends
            child.send_signal(signal.SIGCONT)  # (a stopped process could not)

    def batches(self, cancelled: Callable[[], bool] = lambda: False) -> Generator[ScanBatch, None, None]:
        """Every recording's summary, in batches: the cached ones at once, then as they are read.

        What was read is written to the cache at the end, or when the scan is stopped part way.
        """
        with self.summaries.lock:  # one scan at a time uses them: a rescan waits for the last to stop
            received: set[str] = set()
            if self.helper:
                child = take_early(self.folder)
                if child is None and _count_recordings(self.folder) >= ELSEWHERE_FROM:
                    child = start_helper(self.folder)
                if child is not None:
                    complete = yield from self._from_helper(child, cancelled, received)
                    if complete or cancelled() or self._stopped.is_set():
                        return
            yield from self._here(cancelled, received)

    def _here(self, cancelled: Callable[[], bool], skip: set[str]) -> Iterator[ScanBatch]:
        """The scan itself: cached summaries by stamp, the other files read (less ``skip``,
        the names a helper that gave up had sent already)."""
        everything, links = list_recordings(self.folder)
        summaries = self.summaries
        summaries.load()
        summaries.keep_only({name for name, _ in everything})
        listing = [(name, stamp) for name, stamp in everything if name not in skip]
        writing = held_in_folder(self.folder, {name for name, _ in listing}, links=links)
        known: list[SessionEntry] = []
        records: list[list[Any]] = []
        unknown: list[tuple[Path, Stamp]] = []
        for name, stamp in listing:
            if self.records:
                record = summaries.lookup_record(name, stamp)
                if record is None:
                    unknown.append((child_path(self.folder, name), stamp))
                else:
                    records.append([name, shown_running(record) if name in writing else record])
                continue
            path = child_path(self.folder, name)
            entry = summaries.lookup(path, stamp)
            if entry is None:
                unknown.append((path, stamp))
            else:
                known.append(_as_shown(entry, writing))
        total, read = len(everything), len(known) + len(records) + len(skip)
        batch: list[SessionEntry] = []
        last, first = time.monotonic(), True
        try:
            yield ScanBatch(known, read, total, records)
            for path, listed in unknown:
                if cancelled() or self._stopped.is_set():
                    return
                read_stamp, entry = read_summary(path, listed)
                summaries.remember(read_stamp, entry)
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

    def _from_helper(
        self, child: subprocess.Popen[bytes], cancelled: Callable[[], bool], received: set[str]
    ) -> Generator[ScanBatch, None, bool]:
        """The helper's batches as it sends them; True at the end when it sent every summary
        (False: it failed part way, and ``received`` names what it did send)."""
        self._child = child
        if self._stopped.is_set():
            self.stop()
        assert child.stdout is not None
        complete = False
        try:
            for line in child.stdout:  # a batch a line: [read, total, [[name, record, widths], ...]]
                if cancelled() or self._stopped.is_set():
                    return False
                batch = received_batch(self.folder, line, received)
                if batch is None:
                    return False
                complete = batch.read >= batch.total
                yield batch
                if complete:
                    return True
            return False
        finally:
            if not complete and child.poll() is None:  # (a helper that is done is writing the cache)
                child.terminate()
                child.send_signal(signal.SIGCONT)
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            child.stdout.close()
            self._child = None


def send_batches(scan: FolderScan, out: Callable[[bytes], object], flush: Callable[[], object]) -> None:
    """The helper's side of the stream: a batch a line, ``[read, total, [[name, record, widths], ...]]``,
    each row measured here, so the list builds only the rows it shows."""
    batches = scan.batches()
    widths = scan.summaries.row_widths
    try:
        for batch in batches:
            sent = [[name, record, widths(name, record, partial(_measured, record))] for name, record in batch.records]
            for entry in batch.entries:
                record = to_record(entry.stamp or _NO_STAMP, entry)
                sent.append([entry.path.name, record, widths(entry.path.name, record, partial(session_widths, entry))])
            out(orjson.dumps([batch.read, batch.total, sent]) + b"\n")
            flush()
    finally:
        batches.close()  # the cache is written even when the app stopped listening


def received_batch(folder: Path, line: bytes, received: set[str]) -> ScanBatch | None:
    """The app's side of the stream: one line decoded and checked (None when anything in it is
    not what the helper sends); ``received`` gains the names of a batch that checks out (and
    turns repeats away), so a scan that takes over from a failed helper reads whatever it lacks."""
    try:
        read, total, sent = orjson.loads(line)
    except (orjson.JSONDecodeError, ValueError, TypeError):
        return None
    if type(read) is not int or type(total) is not int or type(sent) is not list:
        return None
    entries: list[SessionEntry] = []
    widths: list[tuple[int, ...]] = []
    names: set[str] = set()
    for item in sent:
        name, record, measured = item if type(item) is list and len(item) == 3 else (None, None, None)
        if type(name) is not str or os.sep in name or name in received or name in names or not are_widths(measured):
            return None
        decoded = from_record(child_path(folder, name), record)
        if decoded is None:
            return None
        names.add(name)
        entries.append(decoded[1])
        widths.append(tuple(measured))
    received |= names
    return ScanBatch(entries, read, total, widths=widths)


def _measured(record: list[Any]) -> tuple[int, ...]:
    """The row widths of a cached record (one that has checked out: it is sent only then)."""
    return session_widths(entry_of(_UNDRAWN, record))


def _as_shown(entry: SessionEntry, writing: set[str]) -> SessionEntry:
    """Summaries are kept as if no writer held the file (``writing``: the names of those held);
    one that is held is shown running."""
    if entry.error is None and entry.path.name in writing:
        return replace(entry, outcome=RunOutcome.RUNNING)
    return entry
