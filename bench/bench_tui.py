"""Debugger benchmark: first screen, step latency and peak memory on a 100,000-frame recording.

The real program runs in a pseudo-terminal, exactly as a user starts it, and everything is
measured from its output stream:

(a) first screen: from starting the process to the first frame's row appearing on the terminal
    (median and p95 over a few starts), against a baseline measured in the same run: the same
    program opening a 10-frame file;
(b) one step: from writing ``j`` to the terminal until both the frame pane (its first line, above
    the state tree) and the diff pane's header for the new frame have been drawn (median and p95 over ~200 steps once the
    background survey of the file is done, and over the first ~40 steps taken while it runs),
    against the same steps on the 10-frame file;
(c) peak RSS of the program (VmHWM) after the steps.

The file is written into a temporary folder: 100,000 frames whose input and output states are
about 2 KB each (~350 MB). Budgets: first screen ≤ 1 s, step ≤ 50 ms p95,
RSS ≤ 300 MB. Run: ``python bench/bench_tui.py`` (``--frames N``, ``--steps N``, ``--starts N``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import orjson
from pty_terminal import COLUMNS, ROWS, Terminal, vcr_tui_argv
from sample_stats import p95

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' recording lines

from tests.support.vcr_lines import frame, header

BUDGET_FIRST_SCREEN_S = 1.0
BUDGET_STEP_P95_MS = 50.0
BUDGET_RSS_MB = 300.0
FIRST_NODE = "bench_first_frame"


KINDS = ("node", "llm", "tool", "node", "error")
GLYPHS = {"node": "●", "llm": "◆", "tool": "■", "error": "✖"}


def details_title(index: int) -> bytes:
    """How the frame pane's first line starts for frame ``index`` (``#12 ◆ llm``)."""
    kind = KINDS[index % len(KINDS)]
    return f"#{index} {GLYPHS[kind]} {kind}".encode()


def write_recording(path: Path, frames: int) -> None:
    """``frames`` frames with ~2 KB input and output states, written line by line without a recorder."""
    with path.open("wb") as out:
        out.write(header("bench", frame_count=frames))
        for index in range(frames):
            state = {
                "step": index,
                "messages": [{"role": "user", "content": f"message {n} " + "x" * 180} for n in range(5)],
                "notes": "n" * 600,
                "counter": index % 7,
            }
            after = {**state, "step": index + 1, "counter": (index + 1) % 7, "last": f"node_{index % 13}"}
            out.write(
                frame(
                    FIRST_NODE if index == 0 else f"node_{index % 13}",
                    index,
                    session_id="bench",
                    frame_type=KINDS[index % len(KINDS)],
                    input_state=state,
                    output_state=after,
                    metadata={
                        "model": "m",
                        "latency_ms": 12.5,
                        "tokens_used": 100,
                        "cost_usd": 0.001,
                        "error_type": None,
                        "error_message": None,
                        "custom": {},
                    },
                )
            )
    # A finished run, not one still being written: a file written to in the last seconds and
    # without totals opens on its newest frame, as a live session does.
    an_hour_ago = time.time() - 3600
    os.utime(path, (an_hour_ago, an_hour_ago))


def first_screen(path: Path) -> float:
    """Seconds from starting the program to the first frame's row on the terminal."""
    terminal = Terminal(vcr_tui_argv(str(path)))
    try:
        terminal.wait_for([FIRST_NODE.encode()], 0)
        return time.perf_counter() - terminal.started
    finally:
        terminal.close()


def step_latencies(path: Path, steps: int, early: int) -> tuple[list[float], list[float], float, float]:
    """Milliseconds per ``j`` until the frame pane and the diff's header show the new frame.

    The first ``early`` steps are taken at once, while the background survey of the file (error
    frames, bad lines) still runs; the other ``steps`` after it has finished. Also returns the
    program's CPU milliseconds per steady step and its peak RSS.
    """
    terminal = Terminal(vcr_tui_argv(str(path)))
    try:
        terminal.wait_for([FIRST_NODE.encode(), b"#0 input"], 0)
        index = 0

        def step() -> float:
            nonlocal index
            index += 1
            mark = terminal.press(b"j")
            started = time.perf_counter()
            terminal.wait_for([details_title(index), f"#{index} input".encode()], mark)
            return (time.perf_counter() - started) * 1000

        during = [step() for _ in range(early)]
        terminal.wait_for([b" errors "], 0, timeout=120)  # the survey's count of error frames
        terminal.drain(0.5)
        cpu_before = terminal.cpu_seconds()
        steady = [step() for _ in range(steps)]
        cpu_ms = (terminal.cpu_seconds() - cpu_before) * 1000 / steps
        terminal.drain(0.2)
        return steady, during, cpu_ms, terminal.peak_rss_mb()
    finally:
        terminal.close()


def write_big_state_recording(path: Path, megabytes: float = 1.0) -> None:
    """Three frames; the middle one's states are about ``megabytes`` MB each."""
    rows = [{"id": n, "text": "z" * 40, "tags": ["a", "b"]} for n in range(int(megabytes * 1_000_000 / 60))]
    changed = [dict(row) for row in rows]
    changed[len(rows) // 2]["text"] = "changed"
    records = [
        {"node_name": FIRST_NODE, "input_state": {"a": 1}, "output_state": {"a": 2}},
        {"node_name": "huge", "input_state": {"rows": rows}, "output_state": {"rows": changed}},
        {"node_name": "small", "input_state": {"a": 2}, "output_state": {"a": 3}},
    ]
    with path.open("wb") as out:
        out.write(orjson.dumps({"type": "session", "data": {"session_id": "big"}}) + b"\n")
        for index, record in enumerate(records):
            data = {"frame_id": f"f{index}", "session_id": "big", "frame_type": "node", "metadata": {}, **record}
            out.write(orjson.dumps({"type": "frame", "data": data}) + b"\n")


def big_state_steps(path: Path) -> tuple[float, float, float]:
    """Onto a frame with a 1 MB state, then straight off it while its diff is computed: ms until
    the state is shown, ms until the next frame is fully shown, ms until the big diff is shown
    when stepping back."""
    terminal = Terminal(vcr_tui_argv(str(path)))
    try:
        terminal.wait_for([FIRST_NODE.encode(), b"#0 input"], 0)
        terminal.drain(0.5)
        mark = terminal.press(b"j")
        shown = terminal.wait_for(["#1 ● node huge".encode(), b"rows"], mark) * 1000
        mark = terminal.press(b"j")
        away = terminal.wait_for(["#2 ● node small".encode(), b"#2 input"], mark) * 1000
        mark = terminal.press(b"k")
        big_diff = terminal.wait_for([b"#1 input", b"1 change"], mark, timeout=60) * 1000
        return shown, away, big_diff
    finally:
        terminal.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--early", type=int, default=40, help="steps taken before the background survey ends")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="vcr-bench-") as scratch:
        big, small = Path(scratch) / "big.vcr", Path(scratch) / "small.vcr"
        began = time.perf_counter()
        write_recording(big, args.frames)
        write_recording(small, 10)
        size_mb = big.stat().st_size / 1e6
        print(f"recording: {args.frames:,} frames, {size_mb:,.0f} MB (written in {time.perf_counter() - began:.1f} s)")
        print(f"terminal {COLUMNS}x{ROWS}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")

        small_starts = [first_screen(small) for _ in range(args.starts)]
        big_starts = [first_screen(big) for _ in range(args.starts)]
        base = statistics.median(small_starts)
        median = statistics.median(big_starts)
        print(
            f"first screen: median {median:.3f} s, p95 {p95(big_starts):.3f} s  "
            f"(10-frame file: {base:.3f} s, ratio {median / base:.2f})  budget {BUDGET_FIRST_SCREEN_S} s"
        )

        small_steps, _, _, _ = step_latencies(small, 8, 0)
        steps, early, cpu_ms, rss = step_latencies(big, args.steps, args.early)
        base_step = statistics.median(small_steps)
        print(
            f"step (j until tree and diff show the frame): median {statistics.median(steps):.1f} ms, "
            f"p95 {p95(steps):.1f} ms, max {max(steps):.1f} ms  (10-frame file: median {base_step:.1f} ms, "
            f"ratio {statistics.median(steps) / base_step:.2f})  budget p95 {BUDGET_STEP_P95_MS} ms"
        )
        if early:
            print(
                f"  first {len(early)} steps, while the file is still being surveyed: "
                f"median {statistics.median(early):.1f} ms, p95 {p95(early):.1f} ms"
            )
        print(f"CPU per step (program's own user+system time): {cpu_ms:.1f} ms")
        huge = Path(scratch) / "huge.vcr"
        write_big_state_recording(huge)
        shown, away, big_diff = big_state_steps(huge)
        print(
            f"1 MB state: shown {shown:.0f} ms after the key; the next frame shown {away:.0f} ms after its key"
            f" (while the big diff runs); the big diff itself {big_diff:.0f} ms"
        )
        print(f"peak RSS: {rss:.0f} MB  budget {BUDGET_RSS_MB:.0f} MB")
        verdicts = [
            median <= BUDGET_FIRST_SCREEN_S,
            p95(steps) <= BUDGET_STEP_P95_MS,
            rss <= BUDGET_RSS_MB,
        ]
        print("within budget" if all(verdicts) else "OVER BUDGET")


if __name__ == "__main__":
    main()
