"""What a source tells the screen, and the mailbox that keeps it from flooding the screen.

A followed recording can gain 2,000 frames a second. The screen only needs to know "there are
now N frames" and "the connection is in state S": the latest value, not every step on the way.
So background threads merge what they find into one pending ``SourceUpdate``; the screen is told
once that something is waiting and takes the merged result when it gets round to it. Until it
does, no further notification is sent, so the message queue never holds more than one.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable
from typing import Final

from recorder.slotted import Slotted


class SourceState(enum.Enum):
    """Where a source stands; the screen maps these to its LIVE / PAUSED / error markers."""

    CONNECTING = "connecting"  # ssh is starting; nothing received yet
    LIVE = "live"  # following: new frames show up as they are written
    RECONNECTING = "reconnecting"  # the link dropped; retrying, frames seen so far stay
    WAITING = "waiting"  # the followed file is gone for now (rotation); retrying
    ENDED = "ended"  # the stream finished (stdin closed); nothing more will come
    STATIC = "static"  # not following (--no-follow)
    FAILED = "failed"  # a problem retrying cannot fix; ``message`` says what
    CLOSED = "closed"


class SourceStatus(Slotted):
    """One line for the status bar, plus optional detail (for example ssh's own words).

    Both are plain text, already stripped of control characters; still render them literally
    (no Rich markup), since part of them came from another machine.
    """

    __slots__ = ("detail", "message", "state")

    def __init__(self, state: SourceState, message: str, detail: str = "") -> None:
        self.state: Final = state
        self.message: Final = message
        self.detail: Final = detail


class SourceUpdate:
    """Everything that changed since the screen last took an update, merged.

    ``reset`` means the recording was replaced or rewritten: frame numbers from before mean
    nothing now and the view must start over; ``new_frames`` then counts from the reset.
    ``frame_count`` is the count when the update was made; the reader may already hold more.
    """

    __slots__ = ("frame_count", "new_frames", "reset", "status", "status_changed")

    def __init__(
        self,
        frame_count: int,
        new_frames: int,
        reset: bool,
        status: SourceStatus,
        status_changed: bool,
    ) -> None:
        self.frame_count: Final = frame_count
        self.new_frames: Final = new_frames
        self.reset: Final = reset
        self.status: Final = status
        self.status_changed: Final = status_changed

    def merged_with(self, later: SourceUpdate) -> SourceUpdate:
        """This update followed by ``later``, as if the screen had slept through both."""
        return SourceUpdate(
            frame_count=later.frame_count,
            new_frames=later.new_frames if later.reset else self.new_frames + later.new_frames,
            reset=self.reset or later.reset,
            status=later.status,
            status_changed=self.status_changed or later.status_changed,
        )


class UpdateBox:
    """A one-slot mailbox: writers merge into the slot, the screen takes it.

    Two ways to be told: ``wait()`` from a worker thread (returns True once per batch), or an
    ``on_change`` callback run on the writer's thread, which must not block (Textual's
    ``post_message`` qualifies). Either way the next notice comes only after ``take()``.
    """

    def __init__(self, status: SourceStatus) -> None:
        self._condition = threading.Condition()
        self._status = status
        self._frame_count = 0
        self._pending: SourceUpdate | None = None
        self._announced = False
        self._on_change: Callable[[], None] | None = None

    @property
    def status(self) -> SourceStatus:
        with self._condition:
            return self._status

    def set_callback(self, on_change: Callable[[], None] | None) -> None:
        with self._condition:
            self._on_change = on_change
            ring = self._pending is not None and not self._announced and on_change is not None
            if ring:
                self._announced = True
        if ring and on_change is not None:
            on_change()

    def frames(self, frame_count: int, new_frames: int, reset: bool = False) -> None:
        """The reader now holds ``frame_count`` frames, ``new_frames`` of them new."""
        if not new_frames and not reset:
            return
        with self._condition:
            self._frame_count = frame_count
            self._merge(SourceUpdate(frame_count, new_frames, reset, self._status, status_changed=False))
        self._ring()

    def set_status(self, status: SourceStatus) -> None:
        """Record a new status; repeating the current one is not news."""
        with self._condition:
            if status == self._status:
                return
            self._status = status
            self._merge(SourceUpdate(self._frame_count, 0, False, status, status_changed=True))
        self._ring()

    def take(self) -> SourceUpdate | None:
        """The merged update since the last take, or None when nothing happened."""
        with self._condition:
            pending, self._pending = self._pending, None
            self._announced = False
            return pending

    def wait(self, timeout: float | None = None) -> bool:
        """Block until there is an update nobody was told about yet; False on timeout."""
        with self._condition:
            ready = self._condition.wait_for(lambda: self._pending is not None and not self._announced, timeout)
            if ready:
                self._announced = True
            return ready

    def _merge(self, update: SourceUpdate) -> None:
        self._pending = update if self._pending is None else self._pending.merged_with(update)
        self._condition.notify_all()

    def _ring(self) -> None:
        with self._condition:
            callback = self._on_change
            if callback is None or self._announced or self._pending is None:
                return
            self._announced = True
        callback()
