"""Where a step's work goes: CPU time per key, by pane, with the app driven through Textual's Pilot.

The terminal-pace benchmark needs a quiet machine; this does not. It counts CPU time (the
thread's, not the wall clock) spent on each press of ``j`` once the recording is indexed and
surveyed, split into the key's handler (cursor, details, status), each widget's drawing, the
key's own screen update (what the terminal-pace benchmark waits for) and the updates that follow
it (the tree and the diff), so a change to the step path can be judged on a busy machine too.
Cycle collection is frozen once the recording is open, as the program does. ``--profile`` prints
cProfile's view of the screen updates as well.

Not a budget: the budget is ``bench_terminal_pace.py``'s ratio. Run:
``python bench/profile_step.py`` (``--frames N``, ``--steps N``, ``--profile``).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import pstats
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_tui import write_recording
from sample_stats import p95
from textual.screen import Screen
from textual.widget import Widget

from vcr_tui.app import VCRApp
from vcr_tui.screens.debugger.file_screen import FileScreen
from vcr_tui.widgets.frame_list import FrameList

SIZE = (120, 35)
KEY_UPDATE = "update: the key's"
SETTLE_DEADLINE = 300.0  # seconds: indexing and surveying the file on a busy machine


class StepCosts:
    """CPU seconds of the current step, by part; ``per_step`` keeps every step's."""

    def __init__(self, profile: cProfile.Profile | None) -> None:
        self.current: Counter[str] = Counter()
        self.per_step: defaultdict[str, list[float]] = defaultdict(list)
        self.profile = profile

    def timed(self, name: Callable[[Any], str], real: Callable[..., Any], *, profiled: bool = False) -> Any:
        """``real`` counting its CPU time under ``name(self)``; an inner call of the same object is not counted twice."""
        costs = self
        inside: set[int] = set()

        def wrapper(this: Any, *args: Any, **kwargs: Any) -> Any:
            if id(this) in inside:
                return real(this, *args, **kwargs)
            inside.add(id(this))
            started = time.thread_time()
            if profiled and costs.profile is not None:
                costs.profile.enable()
            try:
                return real(this, *args, **kwargs)
            finally:
                if profiled and costs.profile is not None:
                    costs.profile.disable()
                costs.current[name(this)] += time.thread_time() - started
                inside.discard(id(this))

        return wrapper

    def update_name(self, _screen: object) -> str:
        """The first screen update after the key is the key's own; the later ones follow it."""
        return "update: what follows" if KEY_UPDATE in self.current else KEY_UPDATE

    def end_step(self) -> None:
        for part, seconds in self.current.items():
            self.per_step[part].append(seconds)
        self.current.clear()


def _drawing_classes(base: type[Widget] = Widget) -> list[type[Widget]]:
    """Every widget class that defines its own ``render_lines`` (each is timed where it is defined)."""
    found = [base] if "render_lines" in base.__dict__ else []
    for subclass in base.__subclasses__():
        found.extend(_drawing_classes(subclass))
    return found


def _ready(screen: FileScreen) -> bool:
    store = screen.store
    return (
        store is not None
        and store.complete
        and screen.view.surveys_running == 0
        and screen.diff_view.shown_key is not None
    )


async def measure(path: Path, steps: int, costs: StepCosts) -> None:
    app = VCRApp(path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, FileScreen)
        give_up = time.monotonic() + SETTLE_DEADLINE
        while not _ready(screen):
            if time.monotonic() > give_up:
                raise SystemExit("the recording was never indexed and surveyed")
            await pilot.pause(0.05)
        await pilot.pause(0.3)
        gc.collect()
        gc.freeze()  # as the program does once the recording is open (``keep_built_objects``)
        drawn = {cls: cls.__dict__["render_lines"] for cls in _drawing_classes()}
        update, move = Screen._compositor_refresh, FrameList.move_to
        for cls, draw in drawn.items():
            cls.render_lines = costs.timed(lambda widget: type(widget).__name__, draw)
        Screen._compositor_refresh = costs.timed(costs.update_name, update, profiled=True)  # type: ignore[method-assign]
        FrameList.move_to = costs.timed(lambda _: "key handler", move)  # type: ignore[method-assign]
        try:
            for _ in range(steps):
                await pilot.press("j")
                await pilot.pause(0.1)  # the tree and the diff follow: their updates belong to this step
                costs.end_step()
        finally:
            for cls, draw in drawn.items():
                cls.render_lines = draw
            Screen._compositor_refresh, FrameList.move_to = update, move  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=20_000)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    costs = StepCosts(cProfile.Profile() if args.profile else None)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "steps.vcr"
        write_recording(path, args.frames)
        asyncio.run(measure(path, args.steps, costs))
    print(f"{args.steps} steps of j on {args.frames:,} frames, {SIZE[0]}×{SIZE[1]}; CPU ms per step:")
    for part, seconds in sorted(costs.per_step.items(), key=lambda item: -statistics.median(item[1])):
        values = [value * 1000 for value in seconds]
        print(f"  {part:<16} {statistics.median(values):6.2f} median, {p95(values):6.2f} p95")
    if costs.profile is not None:
        pstats.Stats(costs.profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
