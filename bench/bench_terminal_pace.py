"""Steps at the terminal's pace: vcr-tui against a minimal Textual app, side by side through tmux.

Both programs run in a tmux pane of 120×35, as a user sees them, and are read back from the pane
(``capture-pane``), so the figures include drawing and the terminal, not only Python:

(a) first screen: from starting the program to its first screen on the pane. vcr-tui opens a
    100,000-frame recording and is done when the first frame's row is shown; the floor is a
    Textual app whose only widget is a label, done when the label is shown;
(b) key to next frame: from ``send-keys j`` until the pane shows the next frame in the details
    and its position in the status line (vcr-tui, once the file is indexed and its background
    survey has counted the error frames), or the label's new count (the floor app, which updates
    one label on a key). Measured two ways: single presses, each sent once the screen has had
    ``--gap`` seconds to settle (as a user steps and looks), and back to back, each key sent as
    soon as the previous one's frame is shown (as a held key), where the work a step leaves for
    after its own paint (the tree and the diff) is still running when the next key arrives.

Both are measured in the same run and printed as median, p95 and the ratio to the floor.
Budgets: key to next frame ≤ 1.5× the floor's time, first screen ≤ 1.3×. Polling the pane costs
the same on both sides. Run: ``python bench/bench_terminal_pace.py`` (``--frames N``,
``--steps N``, ``--starts N``, ``--gap S``; ``--first-only`` skips the steps).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench_tui import FIRST_NODE, KINDS, details_title, write_recording
from sample_stats import p95

SIZE = (120, 35)
POLL = 0.002  # seconds between looks at the pane
DEADLINE = 60.0
SURVEY_DEADLINE = 300.0  # seconds: the survey of 100,000 frames on a busy machine
BUDGET_STEP_RATIO = 1.5
BUDGET_FIRST_RATIO = 1.3

MINIMAL_APP = """
from textual.app import App
from textual.widgets import Label


class Minimal(App[None]):
    BINDINGS = [("j", "step", "step"), ("q", "quit", "quit")]
    count = 0

    def compose(self):
        yield Label("count 0", id="label")

    def action_step(self):
        self.count += 1
        self.query_one(Label).update(f"count {self.count}")


Minimal().run()
"""


def program_env(pycache: Path) -> dict[str, str]:
    """The environment both programs run in: as a user's, with compiled bytecode kept.

    An installed package has its modules compiled; a shell that sets ``PYTHONDONTWRITEBYTECODE``
    would make every start of the checkout compile it from source (most of a start's time) while
    the installed Textual does not. Both programs keep their bytecode in ``pycache`` instead, and
    each is started once before it is measured.
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "TERM": "xterm-256color", "PYTHONPYCACHEPREFIX": str(pycache)}


PROGRAM_ENV = program_env(Path(tempfile.gettempdir()) / f"vcr-tui-pace-pycache-{os.getuid()}")


class Pane:
    """One tmux server of our own with one pane; the program runs in it."""

    def __init__(self) -> None:
        self.base = ["tmux", "-L", f"pace-{os.getpid()}-{uuid.uuid4().hex[:6]}", "-f", "/dev/null"]
        width, height = SIZE
        subprocess.run(
            [*self.base, "new-session", "-d", "-x", str(width), "-y", str(height)], check=True, env=PROGRAM_ENV
        )

    def run(self, argv: list[str]) -> float:
        """Start ``argv`` in the pane; the moment it was started."""
        command = " ".join(_quoted(part) for part in argv)
        started = time.perf_counter()
        subprocess.run([*self.base, "respawn-pane", "-k", "-t", ":0.0", command], check=True)
        return started

    def screen(self) -> str:
        return subprocess.run([*self.base, "capture-pane", "-p"], capture_output=True, text=True, check=False).stdout

    def wait_for(self, *texts: str, deadline: float = DEADLINE) -> float:
        """When every text was first seen on the pane."""
        give_up = time.perf_counter() + deadline
        while True:
            shown = self.screen()
            now = time.perf_counter()
            if all(text in shown for text in texts):
                return now
            if now > give_up:
                raise SystemExit(f"never saw {texts} on the pane:\n{shown}")
            time.sleep(POLL)

    def key(self, key: str) -> float:
        started = time.perf_counter()
        subprocess.run([*self.base, "send-keys", key], check=True)
        return started

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], check=False, capture_output=True)


def _quoted(part: str) -> str:
    return "'" + part.replace("'", "'\\''") + "'"


def vcr_tui(path: Path) -> list[str]:
    return [sys.executable, "-c", "from vcr_tui.cli import main; main()", str(path), "--no-follow"]


def first_screen(argv: list[str], shown: str) -> float:
    pane = Pane()
    try:
        started = pane.run(argv)
        return pane.wait_for(shown) - started
    finally:
        pane.close()


def first_screens(ours: list[str], floor: list[str], starts: int) -> tuple[list[float], list[float]]:
    """First-screen times of both programs, started in turns.

    Taking turns matters on a shared machine: its speed drifts over a run by more than the
    difference measured, and a block of one program's starts followed by a block of the other's
    would hand the drift to one side. The first start of each compiled its modules: not measured.
    """
    ours_times, floor_times = [], []
    for _ in range(starts + 1):
        ours_times.append(first_screen(ours, FIRST_NODE))
        floor_times.append(first_screen(floor, "count 0"))
    return ours_times[1:], floor_times[1:]


def vcr_steps(path: Path, steps: int, frames: int, gap: float) -> list[float]:
    pane = Pane()
    try:
        pane.run(vcr_tui(path))
        pane.wait_for(FIRST_NODE, f"(1/{frames:,})")
        # The background survey parses the whole file once: the frame list's border counts the
        # error frames it found when it is done. Steps are measured after that.
        errors = sum(1 for index in range(frames) if KINDS[index % len(KINDS)] == "error")
        pane.wait_for(f"{errors:,} errors", deadline=SURVEY_DEADLINE)
        time.sleep(0.5)  # as for the floor app: let the screen settle
        times = []
        for index in range(1, steps + 1):
            time.sleep(gap)
            sent = pane.key("j")
            seen = pane.wait_for(details_title(index).decode(), f"#{index} ({index + 1}/{frames:,})")
            times.append(seen - sent)
        return times
    finally:
        pane.close()


def minimal_steps(script: Path, steps: int, gap: float) -> list[float]:
    pane = Pane()
    try:
        pane.run([sys.executable, str(script)])
        pane.wait_for("count 0")
        time.sleep(0.5)
        times = []
        for count in range(1, steps + 1):
            time.sleep(gap)
            sent = pane.key("j")
            times.append(pane.wait_for(f"count {count}") - sent)
        return times
    finally:
        pane.close()


def report(what: str, ours: list[float], floor: list[float], budget: float) -> None:
    ours_ms = [value * 1000 for value in ours]
    floor_ms = [value * 1000 for value in floor]
    ratio = statistics.median(ours_ms) / statistics.median(floor_ms)
    verdict = "within" if ratio <= budget else "OVER"
    print(
        f"{what}: vcr-tui {statistics.median(ours_ms):.0f} ms median, {p95(ours_ms):.0f} ms p95;"
        f" minimal app {statistics.median(floor_ms):.0f} ms median, {p95(floor_ms):.0f} ms p95;"
        f" ratio {ratio:.2f}× (budget ≤ {budget}×: {verdict})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--gap", type=float, default=0.25, help="seconds the screen settles before a single press")
    parser.add_argument("--first-only", action="store_true", help="measure the first screen only, not the steps")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.vcr"
        write_recording(path, args.frames)
        script = Path(folder) / "minimal_app.py"
        script.write_text(MINIMAL_APP, encoding="utf-8")
        ours_first, floor_first = first_screens(vcr_tui(path), [sys.executable, str(script)], args.starts)
        if args.first_only:
            print(f"tmux pane {SIZE[0]}×{SIZE[1]}, {args.frames:,} frames, {args.starts} starts")
            report("first screen", ours_first, floor_first, BUDGET_FIRST_RATIO)
            return
        ours_single = vcr_steps(path, args.steps, args.frames, args.gap)
        floor_single = minimal_steps(script, args.steps, args.gap)
        ours_steps = vcr_steps(path, args.steps, args.frames, 0.0)
        floor_steps = minimal_steps(script, args.steps, 0.0)
    print(f"tmux pane {SIZE[0]}×{SIZE[1]}, {args.frames:,} frames, {args.steps} steps, {args.starts} starts")
    report(f"key to next frame, single presses ({args.gap:g} s apart)", ours_single, floor_single, BUDGET_STEP_RATIO)
    report("key to next frame, back to back", ours_steps, floor_steps, BUDGET_STEP_RATIO)
    report("first screen", ours_first, floor_first, BUDGET_FIRST_RATIO)


if __name__ == "__main__":
    main()
