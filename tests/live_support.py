"""Helpers for the tests of following in the app: a writer process driven step by step, and waits.

The writer is a real process with its own ``VCRRecorder``: the test tells it how many frames to
append and it answers with the new total once they are written, so the tests never guess how
long a write takes. The app side is waited for with generous deadlines, never timed.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from textual.css.query import NoMatches
from textual.pilot import Pilot

from vcr_tui.screens.file_screen import FileScreen
from vcr_tui.widgets.status_line import StatusLine

DEADLINE = 30.0  # seconds; a loaded CI machine can be slow, a working app is far faster

_WRITER = """
import sys
from recorder import VCRRecorder
folder, session_id, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
parent = sys.argv[4] if len(sys.argv) > 4 else None
recorder = VCRRecorder(folder)
recorder.start_session(session_id=session_id, parent_session_id=parent, forked_from_frame=0 if parent else None)
print(recorder.path, flush=True)
seq = 0
for line in sys.stdin:
    for _ in range(int(line)):
        recorder.record_step(f"{prefix}-{seq}", {"seq": seq}, {"seq": seq + 1, "by": session_id})
        seq += 1
    print(seq, flush=True)
recorder.close()
"""


class Writer:
    """A process recording a session into ``folder``; ``append(n)`` returns once n frames are written."""

    def __init__(self, folder: Path, session_id: str = "live", prefix: str = "step", parent: str | None = None) -> None:
        args = [sys.executable, "-c", _WRITER, str(folder), session_id, prefix, *([parent] if parent else [])]
        self.process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.path = Path(self.process.stdout.readline().strip())
        self.count = 0

    def append(self, count: int) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{count}\n")
        self.process.stdin.flush()
        self.count = int(self.process.stdout.readline())
        return self.count

    def close(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


async def wait_until(pilot: Pilot[None], condition: Callable[[], bool], what: str, deadline: float = DEADLINE) -> None:
    """Let the app run until ``condition()`` holds; fail with ``what`` (and the status) if it never does."""
    give_up = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > give_up:
            raise AssertionError(f"gave up waiting for {what}; status line: {status_text(pilot)!r}")
        await pilot.pause(0.05)


def file_screen(pilot: Pilot[None]) -> FileScreen:
    screen = pilot.app.screen
    assert isinstance(screen, FileScreen), f"expected the file screen, got {screen!r}"
    return screen


def status_text(pilot: Pilot[None]) -> str:
    try:
        return pilot.app.screen.query_one(StatusLine).render().plain
    except NoMatches:  # another screen is on top: say which
        return f"<{type(pilot.app.screen).__name__}>"


def visible_rows(screen: FileScreen) -> list[str]:
    """The frame list's rows as drawn now (the rows on screen only)."""
    frames = screen.frame_list
    return [frames.render_line(y).text for y in range(frames.scrollable_content_region.height)]
