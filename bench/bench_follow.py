"""Live-tail benchmark: how soon an appended frame is visible, and whether heavy ingest hurts.

    python bench/bench_follow.py            # 30 s of sustained ingest (2,000 frames/s)
    python bench/bench_follow.py --quick    # 5 s of it
    python bench/bench_follow.py --no-ssh   # local only

1. Append to visible: a writer process appends frames at irregular intervals, each carrying the
   moment it was written (CLOCK_MONOTONIC, shared by all processes); the follower side notes
   when the frame is indexed and parsed by the reader, as the app's worker would see it. Locally,
   then through a real sshd on 127.0.0.1 (skipped with a message where none can run).
2. Sustained ingest: a writer appends 2,000 frames/s of ~1 KB. Afterwards every frame must be
   there exactly once, in order. Meanwhile a thread steps to random frames (``reader.frame(i)``,
   mostly cache misses) and times each step; the same is measured on the idle file afterwards,
   so the ratio compares like with like on this (shared, noisy) machine.

Budgets: p95 ≤ 250 ms locally, ≤ 1 s over ssh; no frame missing; step latency while
ingesting within 2x of idle. Exit status 1 when a budget is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sample_stats import percentile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' sshd and writer helpers

from tests.support.source_support import go, start_writer
from vcr_tui.sources import LiveReader, Source, SSHOptions, open_source

WRITER = """
import random, sys, time
from recorder import VCRRecorder
folder, mode, count, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
recorder = VCRRecorder(folder)
recorder.start_session(session_id="bench")
print(recorder.path, flush=True)
sys.stdin.readline()  # go
messages = [{"role": "user", "content": "word " * 30}, {"role": "assistant", "content": "reply " * 60}]
if mode == "latency":
    jitter = random.Random(1)
    for seq in range(count):
        time.sleep(jitter.uniform(0.005, 0.03))
        recorder.record_step("step", {"seq": seq}, {"seq": seq, "sent": time.monotonic()})
else:
    start = time.monotonic()
    seq = 0
    while seq < count:
        due = min(count, int((time.monotonic() - start) * rate) + 1)
        while seq < due:
            recorder.record_step("step", {"seq": seq}, {"seq": seq, "messages": messages})
            seq += 1
        time.sleep(0.001)
    print(f"{time.monotonic() - start:.3f}", flush=True)
recorder.close()
"""


def summary(values: list[float], unit: float = 1000.0, suffix: str = "ms") -> str:
    return (
        f"median {statistics.median(values) * unit:7.2f} {suffix}   p95 {percentile(values, 0.95) * unit:7.2f} {suffix}"
    )


def wait_live(source: Source, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while source.status.state.value not in ("live", "static"):
        if source.status.state.value == "failed" or time.monotonic() > deadline:
            raise RuntimeError(f"source did not come up: {source.status.message}")
        if source.wait(0.1):
            source.take()


class Target:
    """Where to follow the writer's file from: this machine, or through an ssh server."""

    def __init__(self, url_for: Callable[[Path], str] = str, ssh_options: SSHOptions | None = None) -> None:
        self.url_for = url_for
        self.ssh_options = ssh_options

    def source(self, path: Path) -> Source:
        return open_source(self.url_for(path), ssh_options=self.ssh_options)


def append_to_visible(target: Target, folder: Path, count: int) -> list[float]:
    """Latency from a writer's append to the frame being indexed and parsed on this side."""
    writer, path = start_writer(WRITER, folder, "latency", count, 0)
    source = target.source(path)
    latencies: list[float] = []
    try:
        source.start()
        wait_live(source)
        go(writer)
        seen = 0
        deadline = time.monotonic() + count * 0.05 + 30
        while seen < count and time.monotonic() < deadline:
            if not source.wait(0.2) or source.take() is None:
                continue
            reader = source.reader
            available = len(reader)
            now = time.monotonic()
            for index in range(seen, available):
                frame = reader.frame(index)  # indexed and parsed: what the screen needs
                latencies.append(now - frame.output_state["sent"])
            seen = available
        writer.wait(timeout=30)
    finally:
        source.close()
        writer.kill()
        writer.wait()
    if len(latencies) != count:
        raise RuntimeError(f"only {len(latencies)} of {count} frames arrived")
    return latencies


def step_latencies(reader: LiveReader, samples: int, stop: threading.Event | None = None) -> list[float]:
    """Time ``reader.frame(i)`` at random positions, paced like a user holding a key down."""
    chooser = random.Random(3)
    timings: list[float] = []
    while len(timings) < samples and not (stop is not None and stop.is_set()):
        count = len(reader)
        if count < 2:
            time.sleep(0.01)
            continue
        index = chooser.randrange(count)
        began = time.perf_counter()
        reader.frame(index)
        timings.append(time.perf_counter() - began)
        time.sleep(0.005)
    return timings


def sustained_ingest(target: Target, folder: Path, rate: int, seconds: float, label: str) -> bool:
    total = int(rate * seconds)
    writer, path = start_writer(WRITER, folder, "ingest", total, rate)
    source = target.source(path)
    ok = True
    try:
        source.start()
        wait_live(source)
        go(writer)
        stop = threading.Event()
        busy: list[float] = []
        stepper = threading.Thread(target=lambda: busy.extend(step_latencies(source.reader, 10**9, stop)))
        stepper.start()
        while writer.poll() is None:
            if source.wait(0.2):
                source.take()
        stop.set()
        stepper.join()
        assert writer.stdout is not None
        elapsed = float(writer.stdout.readline() or "nan")
        deadline = time.monotonic() + 30
        while len(source.reader) < total and time.monotonic() < deadline:
            if source.wait(0.2):
                source.take()
        reader = source.reader
        with reader.locked() as inner:
            seqs = [inner.frame(i).input_state["seq"] for i in range(len(inner))]
        missing = len(set(range(total)) - set(seqs))
        duplicates = len(seqs) - len(set(seqs))
        in_order = seqs == sorted(seqs)
        idle = step_latencies(source.reader, len(busy))
        ratio = percentile(busy, 0.95) / percentile(idle, 0.95)
        print(
            f"  {label}: wrote {total} frames in {elapsed:.1f} s ({total / elapsed:.0f}/s); "
            f"seen {len(seqs)}, missing {missing}, duplicates {duplicates}, in order: {in_order}"
        )
        print(f"    step while ingesting  n={len(busy):5d}  {summary(busy, 1e6, 'µs')}")
        print(f"    step on the idle file n={len(idle):5d}  {summary(idle, 1e6, 'µs')}")
        print(f"    ratio p95 ingesting / idle: {ratio:.2f}x (budget 2x)")
        ok = missing == 0 and duplicates == 0 and in_order and ratio <= 2.0
    finally:
        source.close()
        writer.kill()
        writer.wait()
    return ok


def ssh_target(stack: contextlib.ExitStack, folder: Path) -> Target | None:
    """A real sshd on 127.0.0.1 for the rest of the run, or None (said why) where none can run."""
    from tests.support.sshd import SSHDUnavailable, running_sshd

    try:
        server = stack.enter_context(running_sshd(folder))
    except SSHDUnavailable as exc:
        print(f"  ssh     skipped: no OpenSSH server can run here ({exc})")
        return None
    return Target(server.url, SSHOptions(extra_args=("-F", str(server.config)), use_environment=False))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 s of sustained ingest instead of 30 s")
    parser.add_argument("--no-ssh", action="store_true", help="skip the ssh measurements")
    parser.add_argument("--samples", type=int, default=200, help="frames for the latency measurement")
    parser.add_argument("--rate", type=int, default=2000, help="frames per second of sustained ingest")
    arguments = parser.parse_args()
    seconds = 5.0 if arguments.quick else 30.0
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; python {sys.version.split()[0]}")
    ok = True
    with tempfile.TemporaryDirectory(prefix="vcr-tui-bench-") as scratch, contextlib.ExitStack() as stack:
        folder = Path(scratch)
        print("append to visible (writer process -> indexed and parsed here):")
        local = append_to_visible(Target(), folder / "local", arguments.samples)
        ok &= percentile(local, 0.95) <= 0.25
        print(f"  local   n={len(local)}  {summary(local)}   (budget p95 250 ms)")
        remote = None if arguments.no_ssh else ssh_target(stack, folder / "sshd")
        if remote is not None:
            over_ssh = append_to_visible(remote, folder / "ssh", arguments.samples)
            ok &= percentile(over_ssh, 0.95) <= 1.0
            print(f"  ssh     n={len(over_ssh)}  {summary(over_ssh)}   (budget p95 1000 ms)")
            print(f"  ratio p95 ssh / local: {percentile(over_ssh, 0.95) / percentile(local, 0.95):.2f}x")
        print(f"sustained ingest, {arguments.rate} frames/s for {seconds:g} s:")
        ok &= sustained_ingest(Target(), folder / "ingest", arguments.rate, seconds, "local")
        if remote is not None:
            ok &= sustained_ingest(remote, folder / "ingest-ssh", arguments.rate, seconds, "ssh")
    print("all budgets met" if ok else "BUDGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
