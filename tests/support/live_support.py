"""Helpers for the tests of following in the app: a writer process driven step by step, and rows.

The writer is a real process with its own ``VCRRecorder``: the test tells it how many frames to
append and it answers with the new total once they are written, so the tests never guess how
long a write takes. The app side is waited for (``app_support.wait_until``) with generous
deadlines, never timed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from vcr_tui.screens.debugger.file_screen import FileScreen

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


def visible_rows(screen: FileScreen) -> list[str]:
    """The frame list's rows as drawn now (the rows on screen only)."""
    frames = screen.frame_list
    return [frames.render_line(y).text for y in range(frames.scrollable_content_region.height)]
