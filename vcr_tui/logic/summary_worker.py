"""The helper process that scans a folder for the session list (see ``folder_scan``).

Started with the folder as its argument; writes each batch of summaries as a line on stdout
(``[read, total, [[name, record], ...]]``), and keeps the folder's summary cache up to date. When the app goes
away (the pipe breaks) or asks it to stop (SIGTERM), it writes down what it has read and ends.

The cycle collector is paused for the whole of it (``gc_pause``): everything it builds, ten
thousand summaries, records and rows, stays until it ends, and none of it forms a cycle, yet the
collector's passes over it took a third of the process's time for a folder never read before.
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
    from vcr_tui.logic.gc_pause import collection_paused

    with collection_paused():  # (its modules are loaded in the pause too: they stay as long)
        from vcr_tui.logic.folder_scan import FolderScan, send_batches
        from vcr_tui.logic.summary_cache import FolderSummaries

        folder = Path(sys.argv[1])
        out = sys.stdout.buffer
        try:
            scan = FolderScan(folder, FolderSummaries(folder), helper=False, records=True)
            send_batches(scan, out.write, out.flush)
        except (BrokenPipeError, SystemExit):
            pass  # the scan's own clean-up has saved what was read
    os._exit(0)  # nothing left to say, not even a complaint at exit about the closed pipe
