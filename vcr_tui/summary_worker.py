"""The process that reads summaries for the folder view: names in on stdin, one line out per file.

Started by ``folder_scan`` with the folder as its argument and a JSON list of file names on
stdin; writes ``[name, record, held_still]`` per file, in the order asked, flushing the first
screenful at once and then every few hundredths of a second. When the app goes away (the pipe
breaks) it stops at once.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import orjson

from vcr_tui.summary_cache import read_summary, to_record

_FIRST = 40
_FLUSH_SECONDS = 0.05


def main() -> None:
    folder = Path(sys.argv[1])
    names = orjson.loads(sys.stdin.buffer.read())
    out = sys.stdout.buffer
    last = time.monotonic()
    try:
        for number, name in enumerate(names):
            if not isinstance(name, str) or os.sep in name:
                return
            stamp, entry = read_summary(folder / name)
            out.write(orjson.dumps([name, to_record(stamp or (0, 0), entry), stamp is not None]) + b"\n")
            now = time.monotonic()
            if number < _FIRST or now - last >= _FLUSH_SECONDS:
                out.flush()
                last = now
        out.flush()
    except BrokenPipeError:
        os._exit(0)  # the app is gone; nothing left to say, not even at exit
