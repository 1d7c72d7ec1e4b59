"""Helpers for the tests of sources (a followed file, a pipe, ssh) and the follow benchmark.

A writer process is started with its script and arguments; the script prints its recording's
path, waits for ``go`` on stdin, then writes. The source side is drained with a deadline, so a
broken source fails a test instead of hanging it.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from recorder import VCRRecorder
from vcr_tui.sources import Source, SourceUpdate


def start_writer(script: str, *args: object) -> tuple[subprocess.Popen[str], Path]:
    """Run ``script`` with ``args``; returns the process and the path it printed (it waits for ``go``)."""
    writer = subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    return writer, Path(writer.stdout.readline().strip())


def go(writer: subprocess.Popen[str]) -> None:
    assert writer.stdin is not None
    writer.stdin.write("go\n")
    writer.stdin.flush()


def drain_until(source: Source, done: Callable[[], bool], timeout: float = 60) -> list[SourceUpdate]:
    """Collect updates until ``done()``, then what is left; fail (instead of hanging) after ``timeout`` s."""
    updates: list[SourceUpdate] = []
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"gave up waiting; status {source.status}, last updates {updates[-3:]}"
        if source.wait(0.1):
            update = source.take()
            if update is not None:
                updates.append(update)
    while (update := source.take()) is not None:
        updates.append(update)
    return updates


def record(folder: Path, session_id: str, count: int, start: int = 0) -> Path:
    """A closed recording of ``count`` frames whose input is ``{"seq": n}`` from ``start`` on."""
    recorder = VCRRecorder(folder)
    recorder.start_session(session_id=session_id)
    for seq in range(start, start + count):
        recorder.record_step(f"step-{seq}", {"seq": seq}, {"seq": seq, "who": session_id})
    recorder.close()
    assert recorder.path is not None
    return recorder.path


def seqs(source: Source) -> list[int]:
    with source.reader.locked() as reader:
        return [reader.frame(i).input_state["seq"] for i in range(len(reader))]
