"""Comparing two 100,000-frame runs: the alignment itself, and the compare screen's first paint.

Budgets: the first screen of ``vcr-tui diff A B`` ≤ 1 s (the alignment runs in a worker after
it), beside the first screen of two 10-frame runs (the same start with nothing to read); the
alignment is reported against the floor of reading every frame of both files once
(``VCRReader.frame``), which any comparison of states must pay.

Three pairs of runs: identical, B with three steps inserted in the middle and every step after
them changed (the shape of a fork that took another path), and two runs that share nothing.

    python bench/bench_compare.py [--frames 100000] [--repeat 3] [--starts 5]
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

from recorder.compare import compare_runs
from recorder.reader import VCRReader
from tests.support.vcr_lines import frame, header

BUDGET_FIRST_SCREEN_S = 1.0
NODES = ("plan", "llm:gpt-4o-mini", "tool:search", "tool:run_tests", "review")


def write_run(path: Path, frames: int, *, session_id: str, insert_at: int | None = None, salt: str = "") -> None:
    """``frames`` steps of ~2 KB states; with ``insert_at``, three extra steps there and every later
    state salted (a run that went another way from that point)."""
    with path.open("wb") as out:
        out.write(header(session_id, frame_count=frames))
        written = 0
        for index in range(frames):
            if insert_at is not None and index == insert_at:
                for extra in range(3):
                    out.write(frame("tool:lint", written, session_id=session_id, input_state={"extra": extra}))
                    written += 1
            tail_salt = salt if insert_at is None or index >= insert_at else ""
            state = {
                "step": index,
                "messages": [{"role": "user", "content": f"message {n} {tail_salt}" + "x" * 180} for n in range(5)],
                "notes": "n" * 600,
            }
            out.write(
                frame(
                    NODES[index % len(NODES)],
                    written,
                    session_id=session_id,
                    input_state=state,
                    output_state={**state, "step": index + 1},
                )
            )
            written += 1
        out.write(header(session_id, frame_count=written))


def read_floor(a: Path, b: Path) -> float:
    """Seconds to parse every frame of both files once: what any state comparison must pay."""
    started = time.perf_counter()
    for path in (a, b):
        with VCRReader(path) as reader:
            for index in range(len(reader)):
                reader.frame(index)
    return time.perf_counter() - started


def time_compare(a: Path, b: Path) -> tuple[float, int, int | None]:
    started = time.perf_counter()
    with compare_runs(a, b) as result:
        elapsed = time.perf_counter() - started
        return elapsed, len(result.differing), result.first_divergence


def first_screen(a: Path, b: Path) -> float:
    terminal = Terminal(vcr_tui_argv("diff", str(a), str(b)))
    try:
        terminal.wait_for([b"aligned by step"], 0)
        return time.perf_counter() - terminal.started
    finally:
        terminal.close()


def aligned_screen(a: Path, b: Path) -> float:
    terminal = Terminal(vcr_tui_argv("diff", str(a), str(b)))
    try:
        terminal.wait_for([b"differing pair"], 0, timeout=300)
        return time.perf_counter() - terminal.started
    finally:
        terminal.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--starts", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vcr-bench-") as scratch:
        folder = Path(scratch)
        a, same, forked, other = (folder / f"{name}.vcr" for name in ("a", "same", "forked", "other"))
        write_run(a, args.frames, session_id="a")
        write_run(same, args.frames, session_id="same")
        write_run(forked, args.frames, session_id="forked", insert_at=args.frames // 2, salt="B")
        write_run(other, args.frames, session_id="other", insert_at=0, salt="C")
        size_mb = a.stat().st_size / 1e6
        print(
            f"two runs of {args.frames:,} frames ({size_mb:,.0f} MB each); {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
        )
        floors = [read_floor(a, same) for _ in range(args.repeat)]
        floor = statistics.median(floors)
        print(f"floor (parse every frame of both): median {floor:.2f} s")
        for label, b in (("identical", same), ("3 inserted, rest changed", forked), ("nothing shared", other)):
            runs = [time_compare(a, b) for _ in range(args.repeat)]
            times = [elapsed for elapsed, _, _ in runs]
            _, differing, first = runs[0]
            print(
                f"compare_runs, {label}: median {statistics.median(times):.2f} s, p95 {p95(times):.2f} s"
                f"  (ratio to floor {statistics.median(times) / floor:.2f}; {differing:,} differing pairs, first at {first})"
            )
        small_a, small_b = folder / "small-a.vcr", folder / "small-b.vcr"
        write_run(small_a, 10, session_id="small-a")
        write_run(small_b, 10, session_id="small-b", insert_at=5, salt="B")
        starts, small_starts = [], []
        for _ in range(args.starts):  # interleaved, so a change in the machine's load hits both alike
            starts.append(first_screen(a, forked))
            small_starts.append(first_screen(small_a, small_b))
        median, small_median = statistics.median(starts), statistics.median(small_starts)
        print(
            f"first screen of vcr-tui diff: median {median:.2f} s, p95 {p95(starts):.2f} s  budget {BUDGET_FIRST_SCREEN_S} s"
            f"  (two 10-frame runs: {small_median:.2f} s; ratio {median / small_median:.2f})"
        )
        aligned = aligned_screen(a, forked)
        print(f"aligned pairs on screen (3 inserted, rest changed): {aligned:.2f} s")
        print("within budget" if median <= BUDGET_FIRST_SCREEN_S else "OVER BUDGET")


if __name__ == "__main__":
    main()
