"""The app's view of one open recording: the engine's reader, made safe to share with workers.

``VCRReader`` keeps parsed frames in an LRU cache that is not thread-safe, and parsing a frame can
be slow in two cases: a huge state (megabytes), or a "diff mode" frame that the reader rebuilds by
walking back to the last whole state. So:

- frames are parsed under one lock; the UI thread only ever *tries* the lock and parses a frame
  itself only when that is known to be cheap (``try_frame``); everything else goes to a worker;
- rows of the frame list come from the raw line (``frame_rows``), never from the reader's cache,
  so painting a screen of rows never parses states;
- raw lines are read without the lock (``os.pread`` on the index's offsets is thread-safe).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from recorder import Frame, Problem, Session, VCRReader
from recorder.index import IndexUpdate
from vcr_tui.logic.frame_rows import FrameRow, row_from_line
from vcr_tui.logic.preview_store import PreviewStore
from vcr_tui.logic.scanning import survey_line
from vcr_tui.sources.live_reader import LiveReader

_ROW_CACHE = 4096
CHEAP_LINE_BYTES = 256 * 1024
_DIFF_MODE_MARK = b'"state_diff":['


class FrameStore:
    """Rows, frames and file facts of one recording, for the UI thread and its workers."""

    complete = True  # every frame of the file is indexed (see PreviewStore for the other case)

    def __init__(self, reader: VCRReader | LiveReader) -> None:
        self.reader = reader
        self._lock = threading.Lock()
        self._rows: OrderedDict[int, FrameRow] = OrderedDict()

    @classmethod
    def open(cls, path: Path) -> FrameStore:
        """Index ``path`` (a full scan for newlines; call it from a worker for big files)."""
        return cls(VCRReader(path))

    # -- file facts --------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        return self.reader.path

    def __len__(self) -> int:
        return len(self.reader)

    @property
    def session(self) -> Session:
        return self.reader.session

    @property
    def problems(self) -> list[Problem]:
        """Lines skipped or mended that are known without parsing every frame (the screen's
        background survey finds the rest)."""
        with self._lock:
            return list(self.reader.problems_so_far)

    def update(self) -> IndexUpdate:
        """Pick up appended frames (for followers of a growing file); forgets rows on a reset."""
        with self._lock:
            result = self.reader.update()
        if result.reset:
            self._rows.clear()
        return result

    def forget_rows(self) -> None:
        """The file was replaced and re-read (by a follower): rows cached by index are stale."""
        self._rows.clear()

    def survey(
        self, index: int, raw: bytes, seen: Callable[[Frame], object] | None = None
    ) -> tuple[bool, Problem | None]:
        """Whether frame ``index`` records an error, and what is wrong with its line if anything.

        From the frame the reader parsed already when a visit did (a frame is parsed once), else
        by parsing ``raw`` here. For the background survey: never waits for the lock. ``seen`` is
        handed the frame either way (see ``survey_line``).
        """
        reader = self.reader
        if isinstance(reader, VCRReader) and self._lock.acquire(blocking=False):
            try:
                frame = reader.parsed(index)
                if frame is not None:
                    if seen is not None:
                        seen(frame)
                    return frame.is_error, reader.problem_on(frame.line)
            finally:
                self._lock.release()
        return survey_line(raw, index, reader.line_number(index), seen=seen)

    def adopt(self, previous: object) -> None:
        """Take the rows and frames a preview of this file parsed, where the line is the very same.

        The first screen is drawn from a preview while the index is built; without this, every
        row and frame on that screen would be parsed a second time once the index is done.
        """
        if not isinstance(previous, PreviewStore):
            return
        reader = self.reader
        for index, line_number, raw, row, frame in previous.parsed():
            if index >= len(self) or reader.line_number(index) != line_number or self.raw(index) != raw:
                continue  # the file changed between the two reads: parse it again
            if row is not None:
                self._rows.setdefault(index, row)
            if frame is not None and isinstance(reader, VCRReader):
                with self._lock:
                    reader.remember(frame)

    def reader_for_worker(self, path: Path) -> VCRReader | None:
        """A reader of ``path`` for a worker that reads many frames (a resume), sharing the index
        the screen built, so nothing is indexed twice. None when this store shows another file,
        or one followed as it grows (its index changes under a reader the follower does not hold)."""
        reader = self.reader
        if not isinstance(reader, VCRReader) or reader.path != path:
            return None
        return reader.sharing()

    def close(self) -> None:
        with self._lock:
            self.reader.close()

    # -- rows --------------------------------------------------------------------------------

    def raw(self, index: int) -> bytes:
        """The frame's line as stored. Thread-safe without the lock."""
        return self.reader.raw(index)

    def row(self, index: int) -> FrameRow:
        """The frame list's row for a frame, cached."""
        row = self._rows.get(index)
        if row is not None:
            return row
        row = row_from_line(self.raw(index), index)
        self._rows[index] = row
        if len(self._rows) > _ROW_CACHE:
            self._rows.popitem(last=False)
        return row

    # -- frames ------------------------------------------------------------------------------

    def frame(self, index: int) -> Frame:
        """The whole frame, waiting for the lock. For workers."""
        with self._lock:
            return self.reader.frame(index)

    def try_frame(self, index: int) -> Frame | None:
        """The whole frame if it can be had at once and cheaply; None means "ask a worker".

        Cheap means: no worker holds the reader, and the line is neither huge nor a diff-mode
        frame (whose rebuild may walk back through many frames).
        """
        if not self._lock.acquire(blocking=False):
            return None
        try:
            raw = self.reader.raw(index)
            if len(raw) > CHEAP_LINE_BYTES or _DIFF_MODE_MARK in raw:
                return None
            return self.reader.frame(index)
        finally:
            self._lock.release()
