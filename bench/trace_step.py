"""Where a single press of ``j`` spends its time, in the real program, through tmux.

Not a budget. vcr-tui (a 100,000-frame recording, as ``bench_terminal_pace.py`` opens it) or the
minimal Textual app of that benchmark runs in a tmux pane of 120×35 with a few of Textual's
methods wrapped to note ``time.perf_counter()`` (one clock for both processes on Linux): the key
parsed from the input, the action, our handler, the screen's update timer, the compositor's
update, ``App._display`` and the output thread's writes. Each press is sent once the screen has
settled (``--gap``), and the pane is watched for the new frame as the benchmark does. For each
press the script prints, in milliseconds: the wall time between those points and the main
thread's CPU time in them (``c:``), the bytes of the key's screen update and when the pane showed
it; then the medians. Run:
``python bench/trace_step.py [--app vcr|minimal|both] [--steps N] [--gap S] [--frames N]``.

To time another checkout of the code, start the script from a folder outside any checkout with
``PYTHONPATH=<checkout>``: the program is started with ``python -c``, which puts the current
folder first on its path. The first line printed names the package that ran.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_terminal_pace import MINIMAL_APP, Pane, vcr_tui
from bench_tui import FIRST_NODE, KINDS, details_title, write_recording

# Run in the program before it starts: wraps the methods and writes the notes at exit.
HOOKS = r"""
import atexit, json, os, sys, time
from textual import events
from textual.app import App
from textual.screen import Screen
from textual.drivers import _writer_thread

NOTES = []
now = time.perf_counter

cpu = time.thread_time

def note(name, extra=None):
    NOTES.append((name, now(), extra if extra is not None else cpu()))

def wrap(owner, attribute, name):
    real = getattr(owner, attribute)
    def wrapper(*args, **kwargs):
        note(name + "<")
        try:
            return real(*args, **kwargs)
        finally:
            note(name + ">")
    setattr(owner, attribute, wrapper)

real_key_init = events.Key.__init__
def key_init(self, *args, **kwargs):
    real_key_init(self, *args, **kwargs)
    note("key", self.key)
events.Key.__init__ = key_init

wrap(App, "_on_key", "app-key")
wrap(App, "_check_bindings", "bindings")
wrap(Screen, "_on_timer_update", "update")
wrap(Screen, "_compositor_refresh", "compose")
wrap(App, "_display", "display")
wrap(Screen, "_refresh_layout", "layout")
for module, cls, attribute, name in TARGETS:
    owner = getattr(__import__(module, fromlist=[cls]), cls)
    wrap(owner, attribute, name)

class NotedFile:
    def __init__(self, file):
        self._file = file
    def write(self, text):
        note("write", len(text.encode("utf-8", "replace")))
        return self._file.write(text)
    def flush(self):
        self._file.flush()
        note("flushed")
    def fileno(self):
        return self._file.fileno()
    def __getattr__(self, name):
        return getattr(self._file, name)

real_writer_init = _writer_thread.WriterThread.__init__
def writer_init(self, file):
    real_writer_init(self, NotedFile(file))
_writer_thread.WriterThread.__init__ = writer_init

@atexit.register
def dump():
    module = sys.modules.get("vcr_tui")
    NOTES.append(("program", 0.0, getattr(module, "__file__", "the minimal app")))
    with open(os.environ["STEP_TRACE_OUT"], "w") as out:
        json.dump(NOTES, out)
"""

VCR_TARGETS = [
    ("vcr_tui.widgets.frame_list", "FrameList", "action_cursor_down", "action"),
    ("vcr_tui.screens.debugger.file_screen", "FileScreen", "_cursor_changed", "handler"),
]
MINIMAL_TARGETS: list[tuple[str, str, str, str]] = []


def traced_command(program: str, targets: list[tuple[str, str, str, str]], out: Path) -> list[str]:
    setup = f"import os; os.environ['STEP_TRACE_OUT'] = {str(out)!r}; TARGETS = {targets!r}\n" + HOOKS
    return [sys.executable, "-c", setup + "\n" + program]


def run(
    app: str, steps: int, gap: float, frames: int, folder: Path
) -> tuple[list[float], list[tuple[str, float, object]]]:
    out = folder / f"{app}.json"
    pane = Pane()
    sends: list[float] = []
    seens: list[float] = []
    try:
        if app == "vcr":
            path = folder / "big.vcr"
            if not path.exists():
                write_recording(path, frames)
            argv = vcr_tui(path)
            program = f"import sys; sys.argv = {['vcr-tui', *argv[3:]]!r}\nfrom vcr_tui.cli import main; main()"
            pane.run(traced_command(program, VCR_TARGETS, out))
            pane.wait_for(FIRST_NODE, f"(1/{frames:,})")
            errors = sum(1 for index in range(frames) if KINDS[index % len(KINDS)] == "error")
            pane.wait_for(f"{errors:,} errors", deadline=300)
        else:
            pane.run(traced_command(MINIMAL_APP, MINIMAL_TARGETS, out))
            pane.wait_for("count 0")
        time.sleep(0.5)
        for index in range(1, steps + 1):
            time.sleep(gap)
            sent = pane.key("j")
            if app == "vcr":
                seen = pane.wait_for(details_title(index).decode(), f"#{index} ({index + 1}/{frames:,})")
            else:
                seen = pane.wait_for(f"count {index}")
            sends.append(sent)
            seens.append(seen)
        pane.key("q")
        give_up = time.monotonic() + 10
        while not out.exists() and time.monotonic() < give_up:
            time.sleep(0.05)
        time.sleep(0.2)
    finally:
        pane.close()
    notes = [tuple(item) for item in json.loads(out.read_text())]
    return [*sends, *seens], notes  # type: ignore[list-item]


def report(app: str, times: list[float], notes: list[tuple[str, float, object]]) -> None:
    half = len(times) // 2
    sends, seens = times[:half], times[half:]
    columns: dict[str, list[float]] = {}
    program = next((extra for name, _, extra in notes if name == "program"), "")
    print(f"{app} ({program}): ms from send-keys, wall (w) and main-thread CPU (c)")
    for position, (sent, seen) in enumerate(zip(sends, seens, strict=True)):
        until = sends[position + 1] if position + 1 < len(sends) else float("inf")
        window = [(name, at, extra) for name, at, extra in notes if sent <= at < until]
        wall: dict[str, float] = {}
        cpu: dict[str, float] = {}
        for name, at, extra in window:
            if name not in wall:
                wall[name] = (at - sent) * 1000
                if isinstance(extra, float):
                    cpu[name] = extra * 1000
        first_write = next((int(extra) for name, _, extra in window if name == "write"), 0)  # type: ignore[arg-type]
        figures = {
            "key": wall.get("key", 0.0),
            "w:key>bind": wall["bindings<"] - wall["key"],
            "w:bind>update": wall["update<"] - wall["bindings<"],
            "c:bind>update": cpu["update<"] - cpu["bindings<"],
            "w:update": wall["update>"] - wall["update<"],
            "c:update": cpu["update>"] - cpu["update<"],
            "c:compose>display": cpu["display<"] - cpu["compose<"],
            "c:display": cpu["display>"] - cpu["display<"],
            "w:update>flushed": wall["flushed"] - wall["update>"],
            "w:flushed>seen": (seen - sent) * 1000 - wall["flushed"],
            "seen": (seen - sent) * 1000,
            "bytes": float(first_write),
        }
        if "handler<" in cpu:
            figures["c:handler"] = cpu["handler>"] - cpu["handler<"]
            figures["c:bind>action"] = cpu["action<"] - cpu["bindings<"]
        print(f"  {position + 1:>3}: " + " ".join(f"{name}={value:.1f}" for name, value in figures.items()))
        for name, value in figures.items():
            columns.setdefault(name, []).append(value)
    print("  median: " + " ".join(f"{name}={statistics.median(values):.2f}" for name, values in columns.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--app", choices=("vcr", "minimal", "both"), default="both")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--gap", type=float, default=0.25)
    parser.add_argument("--frames", type=int, default=100_000)
    args = parser.parse_args()
    apps = ("vcr", "minimal") if args.app == "both" else (args.app,)
    with tempfile.TemporaryDirectory() as folder:
        for app in apps:
            times, notes = run(app, args.steps, args.gap, args.frames, Path(folder))
            report(app, times, notes)


if __name__ == "__main__":
    main()
