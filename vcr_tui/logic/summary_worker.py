"""The helper process that scans a folder for the session list (see ``folder_scan``).

Started with the folder as its argument; writes each batch of summaries as a line on stdout
(``[read, total, [[name, record], ...]]``), and keeps the folder's summary cache up to date. When the app goes
away (the pipe breaks) or asks it to stop (SIGTERM), it writes down what it has read and ends.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from types import FrameType


def _stop(_signal: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def main() -> None:
    signal.signal(signal.SIGTERM, _stop)
    from vcr_tui.logic.folder_scan import FolderScan, send_batches
    from vcr_tui.logic.summary_cache import FolderSummaries

    folder = Path(sys.argv[1])
    out = sys.stdout.buffer
    try:
        send_batches(FolderScan(folder, FolderSummaries(folder), helper=False, records=True), out.write, out.flush)
    except (BrokenPipeError, SystemExit):
        pass  # the scan's own clean-up has saved what was read
    os._exit(0)  # nothing left to say, not even a complaint at exit about the closed pipe
