"""Not a budget: what the start costs until the first screen is written, repeatable on a busy machine.

``bench_terminal_pace.py --first-only`` times the first screen by the clock, which the load of a
shared machine moves by tens of milliseconds. This script starts the same two programs (vcr-tui
on a 100,000-frame recording, and the one-label Textual app) in a pseudo-terminal of 120×35, with
their bytecode kept as there, and ends each one the moment its first screen is handed to the
terminal: Textual's writer is wrapped so that the write holding the first frame's name (``count
0`` for the floor) ends the process. It reports, per program:

- CPU time (user + system) of the process until then, median of ``--starts`` runs: what the start
  costs, which load changes far less than the clock;
- with ``--callgrind``, the instructions executed until then (valgrind's callgrind, one run each):
  the same on every run, so two versions of the code can be compared to a fraction of a percent;
- with ``--cprofile FILE``, a cProfile of vcr-tui's start written to ``FILE`` (``pstats``).

Run: ``python bench/profile_start.py [--starts N] [--callgrind] [--cprofile FILE]``; ``--path P``
uses an existing recording; ``PYTHONPATH=<tree>`` measures another checkout with this venv.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_terminal_pace import MINIMAL_APP, PROGRAM_ENV
from bench_tui import FIRST_NODE, write_recording
from pty_terminal import Terminal

# The program: Textual's writer ends the process once the first screen is in what it was handed.
PROBE = """
import os, sys
marker = sys.argv.pop(1)
profile_to = os.environ.pop("START_PROBE_CPROFILE", "")
modules_to = os.environ.pop("START_PROBE_MODULES", "")
from textual.drivers import _writer_thread
write = _writer_thread.WriterThread.write
def watched(self, text):
    if marker in text:
        if profile_to:
            profiler.disable()
            profiler.dump_stats(profile_to)
        if modules_to:
            with open(modules_to, "w") as out:
                out.write(chr(10).join(sorted(sys.modules)))
        os._exit(0)
    write(self, text)
_writer_thread.WriterThread.write = watched
if profile_to:
    import cProfile
    profiler = cProfile.Profile()
    profiler.enable()
"""

VCR_TUI = PROBE + "from vcr_tui.cli import main\nsys.argv[0] = 'vcr-tui'\nmain()\n"


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Start ``argv`` in a pty; its CPU seconds and wall seconds until it ended itself."""
    terminal = Terminal(argv, env=env)
    while True:
        terminal.read(0.05)
        pid, status, usage = os.wait4(terminal.pid, os.WNOHANG)
        if pid:
            break
    wall = time.perf_counter() - terminal.started
    os.close(terminal.fd)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv} failed:\n{terminal.output.decode(errors='replace')[-2000:]}")
    return usage.ru_utime + usage.ru_stime, wall


def instructions(argv: list[str], env: dict[str, str], folder: Path) -> tuple[int, int]:
    """Instructions callgrind counted until the first screen was written: on the main thread, in all.

    The main thread's count is the start's own work; other threads (a worker that began indexing
    because valgrind's slowness let its wait for the first paint run out) are counted apart.
    """
    out = folder / f"callgrind.{time.monotonic_ns()}"
    run_once(
        ["/usr/bin/valgrind", "--tool=callgrind", "--separate-threads=yes", f"--callgrind-out-file={out}", *argv], env
    )
    counts = {}
    for part in folder.glob(f"{out.name}*"):
        summary = re.search(r"^(?:summary|totals): (\d+)", part.read_text(errors="replace"), re.MULTILINE)
        counts[part.name] = int(summary.group(1)) if summary else 0
    main_thread = counts.get(f"{out.name}-01", 0)
    return main_thread, sum(counts.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--path", type=Path, help="an existing recording (its first frame named as the bench's)")
    parser.add_argument("--starts", type=int, default=7)
    parser.add_argument("--callgrind", action="store_true")
    parser.add_argument("--cprofile", type=Path)
    parser.add_argument("--only", choices=("vcr-tui", "floor"))
    parser.add_argument("--modules", type=Path, help="write the modules each program loaded to MODULES.<program>")
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as in bench_terminal_pace: bytecode is kept
    env = {"PYTHONPYCACHEPREFIX": PROGRAM_ENV["PYTHONPYCACHEPREFIX"]}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path = args.path
        if path is None:
            path = folder / "big.vcr"
            write_recording(path, args.frames)
        floor = folder / "minimal_app.py"
        floor.write_text(PROBE + MINIMAL_APP, encoding="utf-8")
        programs = {
            "vcr-tui": [sys.executable, "-c", VCR_TUI, FIRST_NODE, str(path), "--no-follow"],
            "floor": [sys.executable, str(floor), "count 0"],
        }
        if args.only:
            programs = {args.only: programs[args.only]}
        for argv in programs.values():
            run_once(argv, env)  # compiles what is not compiled yet
        if args.cprofile:
            run_once(programs["vcr-tui"], {**env, "START_PROBE_CPROFILE": str(args.cprofile.resolve())})
            print(f"cProfile of vcr-tui's start: {args.cprofile}")
        if args.modules:
            for what, argv in programs.items():
                run_once(argv, {**env, "START_PROBE_MODULES": f"{args.modules.resolve()}.{what}"})
        for what, argv in programs.items():
            runs = [run_once(argv, env) for _ in range(args.starts)]
            cpu = statistics.median(run[0] for run in runs) * 1000
            wall = statistics.median(run[1] for run in runs) * 1000
            line = f"{what:8} CPU {cpu:6.1f} ms median, wall {wall:6.1f} ms median ({args.starts} starts)"
            if args.callgrind:
                main_thread, total = instructions(argv, env, folder)
                line += f", {main_thread / 1e9:.4f} G instructions on the main thread ({total / 1e9:.4f} G in all)"
            print(line, flush=True)
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
