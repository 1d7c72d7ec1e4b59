"""A folder of 10,000 saved sessions: how fast they are summarized, and listed on screen.

Budget: the list of 10,000 sessions complete on screen ≤ 1 s from the start of the process.
Saved runs are read from their last two lines (``recorder.run_summary``); the floor of that is
opening each file and reading its last 64 KB, which any listing that shows totals must do.

On screen, two cases: *cold*, with an empty summary cache (the files are read by a helper
process while the app starts its screen), and *warm*, the folder opened again (the cache answers:
no recording is read). The floor of both is the app's start alone: an empty folder's screen.
Each also prints the app's own CPU time until its screen was drawn, which a busy machine changes
far less than the wall clock (the helper process's time is not in it).

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

from pty_terminal import Terminal, vcr_tui_argv
from sample_stats import p95

from tests.support.vcr_lines import frame, header
from vcr_tui.logic.sessions import scan

BUDGET_LIST_S = 1.0


def write_folder(folder: Path, sessions: int, frames: int) -> None:
    """Saved runs, each last written a little later than the one before, the newest a minute ago."""
    body = b"".join(frame(f"node_{n % 5}", n, input_state={"n": n, "text": "x" * 200}) for n in range(frames))
    newest = time.time_ns() - 60 * 10**9
    for number in range(sessions):
        session_id = f"run-{number:05d}"
        created = f"2026-01-{1 + number % 28:02d}T00:00:00.000000+00:00"
        closing = header(
            session_id, created_at=created, frame_count=frames, total_tokens=100 + number, tags=["nightly"]
        )
        path = folder / f"{session_id}.vcr"
        path.write_bytes(header(session_id, created_at=created) + body + closing)
        written = newest - (sessions - number) * 10**6
        os.utime(path, ns=(written, written))


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


def on_screen(folder: Path, cache: Path, text: bytes, cpu: list[float]) -> float:
    """Seconds from the process start until ``text`` is drawn; the app's CPU time until then
    goes to ``cpu`` (its own: a helper process it started is not counted)."""
    terminal = Terminal(vcr_tui_argv(str(folder), "--no-follow"), env={"VCR_TUI_CACHE": str(cache)})
    try:
        terminal.wait_for([text], 0, timeout=120)
        seconds = time.perf_counter() - terminal.started
        cpu.append(terminal.cpu_seconds())
        return seconds
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
        caches = Path(scratch) / "caches"
        empties, cold, warm = [], [], []
        cpu: dict[str, list[float]] = {"empty": [], "cold": [], "warm": []}
        listed = f"{args.sessions:,} recordings  ·".encode()
        for run in range(args.repeat):  # interleaved, so a change in the machine's load hits all three
            empties.append(on_screen(empty, caches / "empty", b"No .vcr recordings", cpu["empty"]))
            cold.append(on_screen(folder, caches / f"cold-{run}", listed, cpu["cold"]))
            warm.append(on_screen(folder, caches / "cold-0", listed, cpu["warm"]))
        start = statistics.median(empties)
        print(
            f"the app's start alone (an empty folder's screen): median {start:.2f} s, p95 {p95(empties):.2f} s;"
            f" the app's CPU time until then {statistics.median(cpu['empty']):.2f} s"
        )
        for name, figures, used in (("cold (no cache)", cold, cpu["cold"]), ("warm (opened again)", warm, cpu["warm"])):
            median = statistics.median(figures)
            verdict = "within budget" if median <= BUDGET_LIST_S else "OVER BUDGET"
            print(
                f"all {args.sessions:,} listed on screen, {name}: median {median:.2f} s, p95 {p95(figures):.2f} s"
                f"  (ratio to the app's start {median / start:.2f}; budget {BUDGET_LIST_S} s: {verdict});"
                f" the app's CPU time until then {statistics.median(used):.2f} s"
            )
        print(f"load at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
