"""Golden runs: one step lookup, serving an unchanged run, and saving a very long run.

Budgets, each printed with its verdict beside a floor measured in the same run:

- (a) looking one step up against a golden set of 10,000 steps: <= 20 us median. Floor: the
  canonical JSON of the same input and a dict lookup (what any exact match must do).
- (b) serving an unchanged 1,000-step run entirely from its golden run: <= 100 ms, 0 live
  calls. Floor: recording the same 1,000 steps live with steps that do nothing.
- (c) ``save_golden_run`` of a 100,000-frame recording: <= 2 s, memory flat (the peak RSS of a
  fresh process that saves, against one that only imports). Floor: ``shutil.copyfile`` of the
  same file.

    python bench/bench_golden.py [--quick] [--dir FOLDER]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from sample_stats import percentile

from recorder import VCRRecorder, vcr_record
from recorder.golden import GoldenRunCache, canonical_input
from recorder.golden.table import Matcher

CALLS = {"live": 0}
NOTES = "a note the agent carries from step to step " * 8  # ~350 bytes of state per step


@vcr_record
def step(state: dict[str, Any]) -> dict[str, Any]:
    CALLS["live"] += 1
    return {"n": state["n"] + 1, "notes": state["notes"]}


def agent(steps: int) -> None:
    state: dict[str, Any] = {"n": 0, "notes": NOTES}
    for _ in range(steps):
        state = step(state)


def record(folder: Path, steps: int) -> Path:
    recorder = VCRRecorder(folder)
    recorder.start_session()
    with recorder:
        agent(steps)
    recorder.close()
    assert recorder.path is not None
    return recorder.path


def line(name: str, samples: list[float], unit: str, floor: float | None, budget: float) -> str:
    median = statistics.median(samples)
    verdict = "ok" if median <= budget else "OVER BUDGET"
    ratio = f"  {median / floor:.1f}x floor ({floor:.2f} {unit})" if floor else ""
    return (
        f"{name:<44} median {median:9.2f} {unit}  p95 {percentile(samples, 0.95):9.2f} {unit}"
        f"  budget {budget:g} {unit}: {verdict}{ratio}"
    )


def bench_lookup(out: Path, steps: int) -> None:
    cache = GoldenRunCache(out / "golden-lookup")
    cache.save_golden_run("lookup", record(out / "runs", steps))
    table = cache.table("lookup")
    states = [{"n": n, "notes": NOTES} for n in range(steps)]
    order = list(range(steps))
    random.Random(7).shuffle(order)
    samples: list[float] = []
    floor: list[float] = []
    plain = {canonical_input(state): n for n, state in enumerate(states)}
    for _ in range(3):
        matcher = Matcher(table)
        for n in order:
            started = time.perf_counter_ns()
            found = matcher.take("step", states[n])
            samples.append((time.perf_counter_ns() - started) / 1000)
            assert found is not None
        for n in order:
            started = time.perf_counter_ns()
            plain.get(orjson.dumps(states[n], option=orjson.OPT_SORT_KEYS))
            floor.append((time.perf_counter_ns() - started) / 1000)
    table.close()
    print(f"(a) golden set of {len(table):,} steps")
    print(line("    lookup of one step", samples, "us", statistics.median(floor), 20))


def bench_serving(out: Path, steps: int, runs: int) -> None:
    cache = GoldenRunCache(out / "golden-serve")
    cache.save_golden_run("serve", record(out / "runs", steps))
    served: list[float] = []
    live: list[float] = []
    calls = []
    for _ in range(runs):
        CALLS["live"] = 0
        started = time.perf_counter()
        recorder = VCRRecorder(out / "served")
        recorder.start_session()
        with recorder, cache.serving("serve"):
            agent(steps)
        recorder.close()
        served.append((time.perf_counter() - started) * 1000)
        calls.append(CALLS["live"])
        started = time.perf_counter()
        record(out / "live", steps)
        live.append((time.perf_counter() - started) * 1000)
    print(f"(b) an unchanged {steps:,}-step run served from its golden run: live calls per run {max(calls)}")
    print(line("    serve the whole run", served, "ms", statistics.median(live), 100))


_SAVE = """
import sys, time
from recorder.golden import GoldenRunCache
started = time.perf_counter()
GoldenRunCache(sys.argv[1]).save_golden_run(sys.argv[2], sys.argv[3])
elapsed = time.perf_counter() - started
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(elapsed, int(hwm) / 1024)
"""
_IMPORT_ONLY = """
import recorder.golden
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(int(hwm) / 1024)
"""


def write_long_run(path: Path, frames: int) -> None:
    """A recording of ``frames`` ~2.5 KB frames written by the recorder itself, with its totals."""
    recorder = VCRRecorder(path)
    recorder.start_session()
    state = {"messages": [{"role": "user", "content": "x" * 1100}], "step": 0}
    for n in range(frames):
        state["step"] = n
        recorder.record_step("agent", state, state, metadata={"tokens_used": 3})
    recorder.close()


def bench_save(out: Path, frames: int, runs: int) -> None:
    write_long_run(out / "long", frames)
    [source] = (out / "long").glob("*.vcr")
    size = source.stat().st_size
    saves, peaks, copies = [], [], []
    for n in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", _SAVE, str(out / "golden-save"), f"long {n}", str(source)],
            capture_output=True,
            text=True,
            check=True,
        )
        elapsed, peak = done.stdout.split()
        saves.append(float(elapsed))
        peaks.append(float(peak))
        started = time.perf_counter()
        shutil.copyfile(source, out / "copy.vcr")
        copies.append(time.perf_counter() - started)
    base = subprocess.run([sys.executable, "-c", _IMPORT_ONLY], capture_output=True, text=True, check=True)
    imported = float(base.stdout)
    print(f"(c) save_golden_run of {frames:,} frames ({size / 1e6:.0f} MB)")
    print(line("    save", saves, "s", statistics.median(copies), 2))
    print(
        f"    peak RSS {max(peaks):.0f} MB against {imported:.0f} MB for importing alone (+{max(peaks) - imported:.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--dir", type=Path, default=None, help="scratch folder (default: a temporary one)")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        out = Path(folder)
        bench_lookup(out, 10_000 // scale)
        bench_serving(out, 1_000, 15 if not args.quick else 5)
        bench_save(out, 100_000 // scale, 5 if not args.quick else 2)


if __name__ == "__main__":
    main()
