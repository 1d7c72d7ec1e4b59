"""Resume benchmark: from pressing ``r`` to the first resumed frame on screen, for the demo agent.

The real program runs in a pseudo-terminal, exactly as a user starts it (``vcr-tui FILE --agent
vcr_tui.demo.agent:run_agent``), and everything is measured from its output stream:

1. the demo run is recorded; the program opens it; ``j j`` goes to frame #2 (``llm:coder``) and
   ``e`` fixes its formula through a scripted ``$EDITOR`` (the app suspends, as with any editor);
2. each run presses ``r`` and times until the fork's first resumed frame (``3 ◆ llm  llm:coder``,
   the step that ran live with the fix) has been drawn, then waits for the outcome, and goes back
   to the parent with Escape for the next run;
3. baseline, in the same program and the same run: one step (``j`` then ``k`` on the parent, until
   the frame pane shows the new frame).

The agent's pretend thinking is off (``VCR_DEMO_DELAY=0``), so the figure is the app's and the
engine's own cost: fork, agent import and run, opening the fork, following it, drawing it.
Budget: ≤ 300 ms. Run: ``python bench/bench_resume_ui.py`` (``--runs N``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pty_terminal import COLUMNS, ROWS, Terminal, vcr_tui_argv
from sample_stats import p95

BUDGET_MS = 300.0
ENTRY_POINT = "vcr_tui.demo.agent:run_agent"
FIRST_RESUMED = "3 ◆ llm   llm:coder".encode()
PARENT_FRAME = "#2 ◆ llm llm:coder".encode()
NEXT_FRAME = "#3 ■ tool tool:run_tests".encode()
EDITOR_SCRIPT = """\
import pathlib, sys
path = pathlib.Path(sys.argv[-1])
path.write_text(path.read_text().replace("(f - 32) * 9 / 5", "(f - 32) * 5 / 9"))
"""


def measure(runs: int, scratch: Path) -> tuple[list[float], list[float], list[float]]:
    """Milliseconds: ``r`` to the first resumed frame, ``r`` to the outcome, and one step (baseline)."""
    os.environ["VCR_DEMO_DELAY"] = "0"
    from vcr_tui.demo import record_demo

    recording = record_demo(scratch / "runs")
    editor = scratch / "fix_formula.py"
    editor.write_text(EDITOR_SCRIPT)
    terminal = Terminal(
        vcr_tui_argv(str(recording), "--agent", ENTRY_POINT),
        env={"VCR_DEMO_DELAY": "0", "EDITOR": f"{sys.executable} {editor}", "VISUAL": ""},
        cwd=scratch,
    )
    first_frame, outcome, steps = [], [], []
    try:
        terminal.wait_for([b"tool:read_tests", b"#0 input"], 0)
        terminal.drain(0.5)
        mark = terminal.press(b"j")
        terminal.wait_for([b"#1 input"], mark)
        mark = terminal.press(b"j")
        terminal.wait_for([PARENT_FRAME], mark)
        mark = terminal.press(b"e")
        terminal.wait_for(["edited ✎".encode()], mark)
        terminal.drain(0.5)
        for _ in range(runs):
            mark = terminal.press(b"r")
            started = time.perf_counter()
            terminal.wait_for([FIRST_RESUMED], mark)
            first_frame.append((time.perf_counter() - started) * 1000)
            terminal.wait_for([b"Resume succeeded"], mark)
            outcome.append((time.perf_counter() - started) * 1000)
            terminal.drain(0.3)
            mark = terminal.press(b"\x1b")  # Escape: back to the parent
            terminal.wait_for([PARENT_FRAME], mark)
            terminal.drain(0.3)
            for key, shown in ((b"j", NEXT_FRAME), (b"k", PARENT_FRAME)):
                mark = terminal.press(key)
                started = time.perf_counter()
                terminal.wait_for([shown], mark)
                steps.append((time.perf_counter() - started) * 1000)
            terminal.drain(0.2)
        return first_frame, outcome, steps
    finally:
        terminal.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vcr-bench-resume-") as scratch:
        print(f"terminal {COLUMNS}x{ROWS}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, {args.runs} runs")
        first_frame, outcome, steps = measure(args.runs, Path(scratch))
    base = statistics.median(steps)
    median = statistics.median(first_frame)
    print(
        f"r to the first resumed frame on screen: median {median:.0f} ms, p95 {p95(first_frame):.0f} ms, "
        f"max {max(first_frame):.0f} ms  budget {BUDGET_MS:.0f} ms"
    )
    print(
        f"r to the outcome on screen (Resume succeeded): median {statistics.median(outcome):.0f} ms, "
        f"p95 {p95(outcome):.0f} ms"
    )
    print(
        f"baseline, one step (j/k until the frame pane shows it): median {base:.1f} ms, p95 {p95(steps):.1f} ms; "
        f"ratio resume/step {median / base:.1f}"
    )
    verdict = "within" if p95(first_frame) <= BUDGET_MS else "OVER"
    print(f"{verdict} budget: p95 {p95(first_frame):.0f} ms vs {BUDGET_MS:.0f} ms")


if __name__ == "__main__":
    main()
