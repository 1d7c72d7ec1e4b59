"""Read a recording from object storage in steps, then keep it current by asking for its version.

The first step indexes a few megabytes, so the screen shows the first frames at once; the rest
streams in from a background thread, posted as new frames the way a growing file's are. Once the
whole object is indexed, following means one metadata request per interval: a store has no
change notices that work everywhere, and a recording is uploaded again at most every few
seconds. A new version is an append or a replacement; the engine's index tells which.
"""

from __future__ import annotations

import threading
from typing import Any

from recorder import RecordingNotFoundError, VCRReader
from recorder.object_index import ObjectIndex
from recorder.storage import ObjectStorageError
from vcr_tui.sources.live_reader import LiveReader
from vcr_tui.sources.updates import SourceState, SourceStatus, UpdateBox

OBJECT_POLL_INTERVAL = 1.0
STEP_BYTES = 16 << 20
FIRST_STEP_BYTES = 2 << 20  # enough frames for the first screen, in one small GET


class ObjectFollower:
    """Opens ``url`` (raising the engine's errors when it cannot) and runs the thread that fills it."""

    def __init__(
        self,
        url: str,
        box: UpdateBox,
        *,
        follow: bool,
        interval: float = OBJECT_POLL_INTERVAL,
        storage_options: dict[str, Any] | None = None,
        step_bytes: int = STEP_BYTES,
    ) -> None:
        self.url = url
        self.index = ObjectIndex(url, storage_options=storage_options, step_bytes=min(step_bytes, FIRST_STEP_BYTES))
        self.reader = LiveReader(VCRReader(url, index=self.index))
        self.index.step_bytes = step_bytes
        self._box = box
        self._follow = follow
        self._interval = interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._trouble = False
        self.loaded = threading.Event()  # set once the version first seen is fully indexed

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"object {self.url}", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Ask for the object's version now instead of at the next interval."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            if self.index.complete:
                if not self.loaded.is_set():
                    self.loaded.set()
                    if not self._follow:
                        self._box.set_status(SourceStatus(SourceState.STATIC, f"{self.url} (not following)"))
                        return
                    self._box.set_status(self._live_status())
                self._wake.wait(self._interval)
                self._wake.clear()
                if self._stop.is_set():
                    break
            self._step()

    def _live_status(self) -> SourceStatus:
        return SourceStatus(SourceState.LIVE, f"following {self.url}")

    def _step(self) -> None:
        """Index one more step (or look for a new version); store trouble is reported, then retried."""
        before = len(self.reader)
        try:
            self.index.prefetch()  # the network wait, outside the reader's lock
            result = self.reader.advance()
        except RecordingNotFoundError:
            self._say(SourceStatus(SourceState.WAITING, f"{self.url} was removed; waiting for it to come back"))
            self._wait_before_retry()
            return
        except ObjectStorageError as exc:
            self._say(SourceStatus(SourceState.RECONNECTING, exc.strerror or str(exc)))
            self._wait_before_retry()
            return
        if self._trouble:
            self._trouble = False
            self._box.set_status(self._live_status() if self.loaded.is_set() else self._loading_status())
        count = len(self.reader)
        if result.reset:
            self._box.frames(count, count, reset=True)
        elif count != before:
            self._box.frames(count, count - before)

    def _loading_status(self) -> SourceStatus:
        return SourceStatus(SourceState.CONNECTING, f"reading {self.url}")

    def _say(self, status: SourceStatus) -> None:
        self._trouble = True
        self._box.set_status(status)

    def _wait_before_retry(self) -> None:
        self._wake.wait(self._interval)
        self._wake.clear()
