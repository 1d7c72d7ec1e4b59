"""A folder of 10,000 saved sessions: how fast they are summarized, and listed on screen.

Budget: the list of 10,000 sessions complete on screen ≤ 1 s. Saved runs are read from their
last two lines (``recorder.run_summary``); the floor is opening each file and reading its last
64 KB, which any listing that shows totals must do.

    python bench/bench_folder.py [--sessions 10000] [--frames 20] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from pty_terminal import Terminal, vcr_tui_argv
from sample_stats import p95

from tests.support.vcr_lines import frame, header
from vcr_tui.logic.sessions import scan

BUDGET_LIST_S = 1.0


def write_folder(folder: Path, sessions: int, frames: int) -> None:
    body = b"".join(frame(f"node_{n % 5}", n, input_state={"n": n, "text": "x" * 200}) for n in range(frames))
    for number in range(sessions):
        session_id = f"run-{number:05d}"
        created = f"2026-01-{1 + number % 28:02d}T00:00:00.000000+00:00"
        closing = header(
            session_id, created_at=created, frame_count=frames, total_tokens=100 + number, tags=["nightly"]
        )
        (folder / f"{session_id}.vcr").write_bytes(header(session_id, created_at=created) + body + closing)


def floor(folder: Path) -> float:
    started = time.perf_counter()
    for entry in os.scandir(folder):
        fd = os.open(entry.path, os.O_RDONLY)
        try:
            size = os.fstat(fd).st_size
            os.pread(fd, min(size, 64 << 10), max(0, size - (64 << 10)))
        finally:
            os.close(fd)
    return time.perf_counter() - started


def summarize_all(folder: Path) -> float:
    started = time.perf_counter()
    count = sum(1 for _ in scan(folder))
    assert count
    return time.perf_counter() - started


def listed_on_screen(folder: Path, sessions: int) -> float:
    terminal = Terminal(vcr_tui_argv(str(folder), "--no-follow"))
    try:
        terminal.wait_for([f"{sessions:,} recordings  ·".encode()], 0, timeout=120)
        return time.perf_counter() - terminal.started
    finally:
        terminal.close()


def empty_folder_on_screen(folder: Path) -> float:
    terminal = Terminal(vcr_tui_argv(str(folder), "--no-follow"))
    try:
        terminal.wait_for([b"No .vcr recordings"], 0, timeout=60)
        return time.perf_counter() - terminal.started
    finally:
        terminal.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--frames", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vcr-bench-") as scratch:
        folder, empty = Path(scratch) / "runs", Path(scratch) / "empty"
        folder.mkdir()
        empty.mkdir()
        write_folder(folder, args.sessions, args.frames)
        print(
            f"{args.sessions:,} sessions of {args.frames} frames; {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
        )
        floors = [floor(folder) for _ in range(args.repeat)]
        summaries = [summarize_all(folder) for _ in range(args.repeat)]
        base = statistics.median(floors)
        print(
            f"summaries of every session: median {statistics.median(summaries):.3f} s, p95 {p95(summaries):.3f} s"
            f"  (floor: open + read the tail of each, {base:.3f} s; ratio {statistics.median(summaries) / base:.2f})"
        )
        empties = [empty_folder_on_screen(empty) for _ in range(args.repeat)]
        listed = [listed_on_screen(folder, args.sessions) for _ in range(args.repeat)]
        median = statistics.median(listed)
        print(
            f"all {args.sessions:,} listed on screen: median {median:.2f} s, p95 {p95(listed):.2f} s"
            f"  (an empty folder's screen: {statistics.median(empties):.2f} s)  budget {BUDGET_LIST_S} s"
        )
        print("within budget" if median <= BUDGET_LIST_S else "OVER BUDGET")


if __name__ == "__main__":
    main()
