"""The update mailbox: merged updates, one notice at a time, from any thread."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from vcr_tui.sources import SourceState, SourceStatus
from vcr_tui.sources.updates import UpdateBox

LIVE = SourceStatus(SourceState.LIVE, "following")
DROPPED = SourceStatus(SourceState.RECONNECTING, "lost")


def test_updates_merge_until_taken() -> None:
    box = UpdateBox(LIVE)
    box.frames(10, 10, reset=True)
    box.frames(12, 2)
    box.set_status(DROPPED)
    box.frames(15, 3)
    update = box.take()
    assert update is not None
    assert (update.frame_count, update.new_frames, update.reset) == (15, 15, True)
    assert update.status == DROPPED and update.status_changed
    assert box.take() is None


def test_a_reset_restarts_the_count_of_new_frames() -> None:
    box = UpdateBox(LIVE)
    box.frames(10, 4)
    box.frames(3, 3, reset=True)
    box.frames(5, 2)
    update = box.take()
    assert update is not None and (update.frame_count, update.new_frames, update.reset) == (5, 5, True)


def test_repeating_the_status_or_adding_nothing_is_not_news() -> None:
    box = UpdateBox(LIVE)
    box.set_status(LIVE)
    box.frames(0, 0)
    assert box.take() is None
    assert not box.wait(0.01)


def test_the_callback_rings_once_until_the_update_is_taken() -> None:
    box = UpdateBox(LIVE)
    rings: list[int] = []
    box.set_callback(lambda: rings.append(1))
    for count in range(1, 101):
        box.frames(count, 1)
    assert len(rings) == 1
    update = box.take()
    assert update is not None and update.new_frames == 100
    box.frames(101, 1)
    assert len(rings) == 2


def test_wait_announces_each_batch_once_across_threads() -> None:
    box = UpdateBox(LIVE)

    def write() -> None:
        for count in range(1, 2001):
            box.frames(count, 1)

    thread = threading.Thread(target=write)
    thread.start()
    total = 0
    deadline = time.monotonic() + 10
    while total < 2000 and time.monotonic() < deadline:
        if box.wait(0.05):
            update = box.take()
            assert update is not None, "a notice always comes with an update"
            total += update.new_frames
    thread.join()
    assert total == 2000
    assert box.take() is None


def test_sources_import_without_textual() -> None:
    """The app plugs sources in; they must stay testable and usable without a terminal UI."""
    code = (
        "import sys, vcr_tui.sources, vcr_tui.sources.ssh, vcr_tui.sources.follow;"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
