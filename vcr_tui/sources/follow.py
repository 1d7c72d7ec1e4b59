"""Watch one local file grow and keep a ``LiveReader`` of it current.

Polling is the portable choice and costs little: one ``stat`` every 25 ms, and an index update
only when size or times moved. (inotify is Linux-only, needs ctypes without a new dependency,
and would save ~12 ms on average against a 250 ms budget.) A writer in this process, such as
the spool a pipe or ssh feeds, calls ``wake()`` to skip the wait.

What counts as "the file changed underneath": a different inode (renamed over, the way the peer
1.5.x saves and log rotation work) or fewer bytes than already read (truncated) is indexed into
a fresh reader and swapped in whole. A rewrite in place that keeps the size is caught by the
engine's fingerprint, and by re-reading the last frame seen before trusting an append: a rewrite
that lands between the engine's check and its read would otherwise join two files.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from recorder import RecordingNotFoundError, RecordingUnreadableError, VCRReader
from vcr_tui.sources.live_reader import LiveReader
from vcr_tui.sources.updates import SourceState, SourceStatus, UpdateBox

POLL_INTERVAL = 0.025
# Even when stat says nothing moved, look again now and then: some file systems keep coarse
# times, and a same-size rewrite within one tick would otherwise go unseen.
_FULL_CHECK_INTERVAL = 1.0


class FileFollower:
    """Opens the file at ``path`` and runs a thread that keeps ``reader`` in step with it."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        box: UpdateBox,
        *,
        interval: float = POLL_INTERVAL,
    ) -> None:
        self.path = Path(path)
        self._identity = _identity(self.path)  # before opening: see ``_identity``
        self.reader = LiveReader(self.path)  # raises RecordingNotFoundError & co. with a clear message
        self._box = box
        self._interval = interval
        self._live_status: SourceStatus | None = None
        self._wake = threading.Event()
        self._progress = threading.Condition()
        self._polls_started = 0
        self._polls_done = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._seen: tuple[int, int, int, int, int] | None = None
        self._last_full_check = 0.0
        self._sentinel: tuple[int, bytes] | None = None
        self._missing = False
        self._remember_last_frame()

    def set_live_status(self, status: SourceStatus) -> None:
        """The status to restore when a removed file comes back."""
        self._live_status = status

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"follow {self.path.name}", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look now instead of at the next tick (called by whoever appended)."""
        self._wake.set()

    def catch_up(self, timeout: float = 2.0) -> bool:
        """Wait until a poll that began after this call has finished: all bytes written so far
        are then indexed. Lets an ending stream announce "complete" only when it is."""
        with self._progress:
            wanted = self._polls_started + 1
        self.wake()
        with self._progress:
            return self._progress.wait_for(lambda: self._polls_done >= wanted, timeout)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._interval)
            self._wake.clear()
            if self._stop.is_set():
                break
            with self._progress:
                self._polls_started += 1
            try:
                self.poll()
            except Exception as exc:  # a follower must outlive odd file systems; say what broke
                self._box.set_status(SourceStatus(SourceState.FAILED, f"stopped following {self.path.name}: {exc}"))
                return
            finally:
                with self._progress:
                    self._polls_done += 1
                    self._progress.notify_all()

    def poll(self) -> None:
        """One look at the file: pick up appended frames, or start over if it was replaced."""
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            if not self._missing:
                self._missing = True
                self._box.set_status(
                    SourceStatus(SourceState.WAITING, f"{self.path.name} was removed; waiting for it to come back")
                )
            return
        if self._missing:
            self._missing = False
            if self._live_status is not None:
                self._box.set_status(self._live_status)
        seen = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
        now = time.monotonic()
        if seen == self._seen and now - self._last_full_check < _FULL_CHECK_INTERVAL:
            return
        self._seen = seen
        self._last_full_check = now
        if (stat.st_dev, stat.st_ino) != self._identity or stat.st_size < self.reader.size:
            self._start_over()
            return
        before = len(self.reader)
        result = self.reader.advance()
        if result.reset:
            self._after_reset()
            return
        if not self._last_frame_unchanged():
            self._start_over()
            return
        self._remember_last_frame()
        self._box.frames(len(self.reader), len(self.reader) - before)

    def _start_over(self) -> None:
        """Index the file as it is now into a new reader, away from the screen's lock."""
        identity = _identity(self.path)
        try:
            fresh = VCRReader(self.path)
        except (RecordingNotFoundError, RecordingUnreadableError):
            self._seen = None
            return  # gone again mid-rotation: the next tick decides
        self._identity = identity
        self.reader.swap(fresh)
        self._after_reset()

    def _after_reset(self) -> None:
        self._remember_last_frame()
        self._box.frames(len(self.reader), len(self.reader), reset=True)

    def _remember_last_frame(self) -> None:
        with self.reader.locked() as reader:
            count = len(reader)
            self._sentinel = (count - 1, reader.raw(count - 1)) if count else None

    def _last_frame_unchanged(self) -> bool:
        if self._sentinel is None:
            return True
        position, raw = self._sentinel
        with self.reader.locked() as reader:
            return position < len(reader) and reader.raw(position) == raw


def _identity(path: Path) -> tuple[int, int] | None:
    """Device and inode, taken before opening: a replacement in between only costs a re-read."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino
