"""A reader that one thread keeps up to date while another reads frames from it.

``VCRReader`` is not meant for two threads: its index grows in several steps and a re-index
replaces everything at once, so a frame read in between could mix two versions of the file. One
lock fixes that: the follower holds it for the few microseconds an incremental update takes, the
screen holds it while it parses one frame. A replaced file is indexed into a fresh reader outside
the lock and swapped in whole, so the screen never waits for a big re-index and never sees half
an old file and half a new one.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from recorder import Frame, Problem, ProblemKind, Session, VCRReader
from recorder.index import IndexUpdate
from recorder.reader import incomplete_last_line


class LiveReader:
    """The parts of ``VCRReader`` a viewer uses, safe to call while the file is being followed.

    ``VCRPlayer(live_reader)`` works too. ``update()`` is a no-op here: the follower does it.
    ``generation`` goes up each time the file was replaced and re-read from the start.
    """

    def __init__(self, path: str | os.PathLike[str] | VCRReader) -> None:
        self._lock = threading.RLock()
        self._reader = path if isinstance(path, VCRReader) else VCRReader(path)
        self.generation = 0
        # Bytes of an unfinished last line kept outside the file: a spool holds only whole lines,
        # so a stream's cut-off line lives in its feeder, and is reported as a file's would be.
        self.held_back: Callable[[], int] = lambda: 0

    # -- what the screen calls ---------------------------------------------------------------

    def __len__(self) -> int:
        with self._lock:
            return len(self._reader)

    @property
    def path(self) -> Path:
        return self._reader.path

    @property
    def size(self) -> int:
        with self._lock:
            return self._reader.size

    @property
    def session(self) -> Session:
        with self._lock:
            return self._reader.session

    @property
    def sessions(self) -> list[Session]:
        with self._lock:
            return self._reader.sessions

    @property
    def totals_written(self) -> bool:
        """The writer saved the run's totals after its last frame: the recording is complete."""
        with self._lock:
            return self._reader.totals_written

    @property
    def problems(self) -> list[Problem]:
        """Every problem; parses all frames once, so call it from a worker on big files."""
        with self._lock:
            return self._with_held_back(self._reader.problems)

    @property
    def problems_so_far(self) -> list[Problem]:
        with self._lock:
            return self._with_held_back(self._reader.problems_so_far)

    def _with_held_back(self, found: list[Problem]) -> list[Problem]:
        held = self.held_back()
        if not held or any(problem.kind is ProblemKind.INCOMPLETE for problem in found):
            return found
        return [*found, incomplete_last_line(self._reader.line_count + 1, held)]

    def frame(self, index: int) -> Frame:
        with self._lock:
            return self._reader.frame(index)

    def raw(self, index: int) -> bytes:
        with self._lock:
            return self._reader.raw(index)

    def line_number(self, index: int) -> int:
        with self._lock:
            return self._reader.line_number(index)

    def update(self) -> IndexUpdate:
        return IndexUpdate(0)

    @contextmanager
    def locked(self) -> Iterator[VCRReader]:
        """The underlying reader, held still: for anything the methods above do not cover."""
        with self._lock:
            yield self._reader

    def close(self) -> None:
        with self._lock:
            self._reader.close()

    def __enter__(self) -> LiveReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what the follower calls -------------------------------------------------------------

    def advance(self) -> IndexUpdate:
        """Index what was appended; may re-index in place when the engine spots a rewrite."""
        with self._lock:
            result = self._reader.update()
            if result.reset:
                self.generation += 1
            return result

    def swap(self, fresh: VCRReader) -> None:
        """Put a reader of the new file in place of the old one, in one step."""
        with self._lock:
            old, self._reader = self._reader, fresh
            self.generation += 1
        old.close()
