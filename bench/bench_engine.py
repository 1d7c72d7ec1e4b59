"""Engine benchmark: what recording a frame and reading a large recording cost on this machine.

Prints, each beside a baseline measured in the same run (so a busy machine shows up in both):

(a) recording: median and p95 µs per ``record_step`` of ~2 KB input + ~2 KB output state, against
    the floor of serialising the very same line with orjson and appending it with ``os.write``;
    and RSS growth over 100,000 recorded frames;
(b) reading a 100,000-frame (~250 MB) file: index time (``VCRReader``, ``VCRPlayer.load``)
    against a bare newline count of the same bytes, the peak RSS of a fresh process that only
    indexes, and random ``goto_frame`` latency against a bare ``pread`` + ``orjson.loads``;
(c) optionally the peer package (``--peer-python``) recording the same frames.

Budgets: record ≤ 20 µs median and ≤ 2x the floor; RSS growth ≤ 20 MB; index ≤ 0.5 s
and ≤ 100 MB peak RSS; goto_frame ≤ 50 µs. Run: ``python bench/bench_engine.py [--quick]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson
from sample_stats import percentile

from recorder import FrameType, VCRPlayer, VCRReader, VCRRecorder

BUDGET_RECORD_US = 20.0
BUDGET_RECORD_RATIO = 2.0
BUDGET_RSS_GROWTH_MB = 20.0
BUDGET_INDEX_S = 0.5
BUDGET_INDEX_RSS_MB = 100.0
BUDGET_GOTO_US = 50.0


@dataclass(frozen=True)
class Sizes:
    """How much work each section does; ``--quick`` shrinks everything for a smoke run."""

    timed_frames: int = 10_000
    rss_frames: int = 100_000
    file_frames: int = 100_000
    index_runs: int = 5
    gotos: int = 20_000
    peer_frames: int = 3_000


QUICK = Sizes(timed_frames=2_000, rss_frames=10_000, file_frames=10_000, index_runs=3, gotos=3_000, peer_frames=500)


# -- states ------------------------------------------------------------------------------------


def agent_state(step: int, size: int) -> dict[str, Any]:
    """A plausible agent state of about ``size`` bytes as JSON: a task, a chat, a scratchpad."""
    words = [
        "the",
        "test",
        "fails",
        "because",
        "add",
        "returns",
        "a",
        "minus",
        "b",
        "where",
        "it",
        "should",
        "return",
        "their",
        "sum",
    ]
    messages = []
    while True:
        k = len(messages)
        content = " ".join(words[(k + j) % len(words)] for j in range(12))
        messages.append({"role": "user" if k % 2 else "assistant", "content": f"{content} ({k})"})
        state = {
            "task": "fix the failing test in calc.py",
            "step": step,
            "messages": messages,
            "scratch": {"files": ["calc.py", "test_calc.py"], "attempts": step % 7, "passed": False, "score": 0.25},
        }
        if len(orjson.dumps(state)) >= size:
            return state


def summary(samples_ns: Sequence[int]) -> tuple[float, float]:
    """Median and 95th percentile, in µs."""
    return statistics.median(samples_ns) / 1000.0, percentile(samples_ns, 0.95) / 1000.0


def rss_mb() -> float:
    """Resident set size of this process right now (not the peak), in MB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER BUDGET"


# -- (a) recording -----------------------------------------------------------------------------


def bench_record(workdir: Path, sizes: Sizes) -> None:
    print(f"(a) recording {sizes.timed_frames:,} frames of ~2 KB input + ~2 KB output state")
    input_state, output_state = agent_state(1, 2048), agent_state(2, 2048)
    recorder = VCRRecorder(workdir)
    recorder.start_session("bench-record")
    floor_fd = os.open(workdir / "floor.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    assert recorder.path is not None
    try:
        for step in range(500):  # warm up both paths
            recorder.record_step("warmup", input_state, output_state)
            os.write(floor_fd, orjson.dumps({"warmup": step}, option=orjson.OPT_APPEND_NEWLINE))
        line = recorder.path.read_bytes().splitlines()[-1]
        floor_record = orjson.loads(line)  # the same record the recorder wrote, as plain data
        print(f"    line size: {len(line) + 1:,} bytes")

        # Interleave blocks of both so that noise from other processes lands on both sides.
        recorded: list[int] = []
        floor: list[int] = []
        block = 500
        clock = time.perf_counter_ns
        dumps, write, option = orjson.dumps, os.write, orjson.OPT_APPEND_NEWLINE
        record_step = recorder.record_step
        for start in range(0, sizes.timed_frames, block):
            for step in range(start, min(start + block, sizes.timed_frames)):
                input_state["step"] = step
                began = clock()
                record_step("plan", input_state, output_state)
                recorded.append(clock() - began)
            for step in range(start, min(start + block, sizes.timed_frames)):
                floor_record["data"]["input_state"]["step"] = step
                began = clock()
                write(floor_fd, dumps(floor_record, option=option))
                floor.append(clock() - began)
    finally:
        os.close(floor_fd)
        recorder.close()
    rec_med, rec_p95 = summary(recorded)
    floor_med, floor_p95 = summary(floor)
    ratio = rec_med / floor_med
    print(f"    recorder  median {rec_med:7.2f} µs   p95 {rec_p95:7.2f} µs")
    print(
        f"    floor     median {floor_med:7.2f} µs   p95 {floor_p95:7.2f} µs   (orjson.dumps + os.write of the same line)"
    )
    print(f"    ratio     median {ratio:7.2f}x     p95 {rec_p95 / floor_p95:7.2f}x")
    print(
        f"    budget    ≤ {BUDGET_RECORD_US:.0f} µs median: {verdict(rec_med <= BUDGET_RECORD_US)};"
        f" ≤ {BUDGET_RECORD_RATIO:.0f}x floor: {verdict(ratio <= BUDGET_RECORD_RATIO)}"
    )
    (workdir / "floor.jsonl").unlink()
    recorder.path.unlink()

    print(f"    RSS growth over {sizes.rss_frames:,} frames (each state a fresh object, as agents make them)")
    recorder = VCRRecorder(workdir)
    recorder.start_session("bench-rss")
    for step in range(1_000):
        recorder.record_step("warmup", agent_state(step, 2048), output_state)
    gc.collect()
    before = rss_mb()
    for step in range(sizes.rss_frames):
        fresh = dict(input_state, step=step, note=f"step {step}")
        recorder.record_step("plan", fresh, output_state)
    gc.collect()
    growth = rss_mb() - before
    recorder.close()
    assert recorder.path is not None
    recorder.path.unlink()
    print(
        f"    RSS before {before:.1f} MB, growth {growth:+.1f} MB"
        f"   budget ≤ {BUDGET_RSS_GROWTH_MB:.0f} MB: {verdict(growth <= BUDGET_RSS_GROWTH_MB)}"
    )


# -- (b) reading -------------------------------------------------------------------------------


class Color:
    """Stand-in module-level names the generated states mention (typed values round-trip)."""


def write_big_file(workdir: Path, frames: int) -> Path:
    """A recording of ``frames`` frames of ~2.5 KB (mixed kinds, a datetime in every state)."""
    recorder = VCRRecorder(workdir)
    recorder.start_session("bench-read", metadata={"task": "benchmark"}, tags=["bench"])
    states = [agent_state(step, 1000) for step in range(16)]
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    kinds = (FrameType.NODE_EXECUTION, FrameType.LLM_CALL, FrameType.TOOL_CALL, FrameType.NODE_EXECUTION)
    for step in range(frames):
        before = states[step % 16]
        after = dict(states[(step + 1) % 16], step=step, when=when)
        recorder.record_step(f"node_{step % 7}", before, after, frame_type=kinds[step % 4])
        if step % 10_000 == 9_999:
            recorder.save()
    recorder.close()
    assert recorder.path is not None
    return recorder.path


def newline_floor(path: Path) -> float:
    """Seconds to read the file in 4 MB chunks and count its newlines: the I/O floor of indexing."""
    began = time.perf_counter()
    fd = os.open(path, os.O_RDONLY)
    try:
        offset, count = 0, 0
        while chunk := os.pread(fd, 4 << 20, offset):
            count += chunk.count(b"\n")
            offset += len(chunk)
    finally:
        os.close(fd)
    return time.perf_counter() - began


def timed(runs: int, action: Callable[[], object]) -> list[float]:
    times = []
    for _ in range(runs):
        gc.collect()
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return times


def open_and_close_reader(path: Path) -> None:
    VCRReader(path).close()


def open_and_close_player(path: Path) -> None:
    VCRPlayer.load(path).close()


INDEX_ONLY = textwrap.dedent(
    """
    import json, resource, sys, time

    def memory():
        # VmHWM is the peak RSS of this process image. ru_maxrss is not: on Linux a child starts
        # with its parent's peak, so a fresh process would report the benchmark's own size.
        try:
            with open("/proc/self/status") as status:
                fields = dict(line.split(":", 1) for line in status)
            return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])
        except OSError:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            return peak, peak

    from recorder import VCRReader
    imported = memory()
    began = time.perf_counter()
    reader = VCRReader(sys.argv[1])
    took = time.perf_counter() - began
    indexed = memory()
    print(json.dumps({"frames": len(reader), "imported_kb": imported, "indexed_kb": indexed, "seconds": took}))
    """
)


def bench_read(workdir: Path, sizes: Sizes) -> None:
    began = time.perf_counter()
    path = write_big_file(workdir, sizes.file_frames)
    size_mb = path.stat().st_size / 1e6
    print(
        f"(b) reading a {sizes.file_frames:,}-frame file of {size_mb:.0f} MB"
        f" (written in {time.perf_counter() - began:.1f} s)"
    )
    newline_floor(path)  # bring the file into the page cache
    floor_times = timed(sizes.index_runs, lambda: newline_floor(path))
    reader_times = timed(sizes.index_runs, lambda: open_and_close_reader(path))
    player_times = timed(sizes.index_runs, lambda: open_and_close_player(path))
    floor_med = statistics.median(floor_times)
    reader_med = statistics.median(reader_times)
    player_med = statistics.median(player_times)
    print(f"    index     VCRReader median {reader_med:.3f} s (min {min(reader_times):.3f})", end="")
    print(f"   VCRPlayer.load median {player_med:.3f} s   over {sizes.index_runs} runs")
    print(f"    floor     read + count newlines median {floor_med:.3f} s   ratio {reader_med / floor_med:.1f}x")
    print(f"    budget    ≤ {BUDGET_INDEX_S} s: {verdict(max(reader_med, player_med) <= BUDGET_INDEX_S)}")

    out = subprocess.run(
        [sys.executable, "-c", INDEX_ONLY, str(path)], capture_output=True, text=True, check=True, timeout=120
    )
    facts = json.loads(out.stdout)
    (import_rss, _), (index_rss, peak) = (
        [kb / 1024 for kb in facts["imported_kb"]],
        [kb / 1024 for kb in facts["indexed_kb"]],
    )
    print(
        f"    peak RSS  fresh process that only indexes: {peak:.1f} MB (VmHWM); RSS after imports"
        f" {import_rss:.1f} MB, after indexing {index_rss:.1f} MB ({facts['frames']:,} frames in"
        f" {facts['seconds']:.3f} s)"
    )
    print(f"    budget    ≤ {BUDGET_INDEX_RSS_MB:.0f} MB: {verdict(peak <= BUDGET_INDEX_RSS_MB)}")

    player = VCRPlayer.load(path)
    reader = player.reader
    count = len(player)
    rng = random.Random(7)
    picks = [rng.randrange(count) for _ in range(sizes.gotos)]
    for index in picks[:500]:
        player.goto_frame(index)
    clock = time.perf_counter_ns
    goto: list[int] = []
    for index in picks:
        began = clock()
        player.goto_frame(index)
        goto.append(clock() - began)
    raw: list[int] = []
    fd = os.open(path, os.O_RDONLY)
    starts, ends = reader._index.starts, reader._index.ends  # the floor reads the very same bytes
    for index in picks:
        began = clock()
        orjson.loads(os.pread(fd, ends[index] - starts[index], starts[index]))
        raw.append(clock() - began)
    os.close(fd)
    stepping: list[int] = []
    for index in range(min(count, sizes.gotos)):
        began = clock()
        player.goto_frame(index)
        stepping.append(clock() - began)
    player.close()
    goto_med, goto_p95 = summary(goto)
    raw_med, raw_p95 = summary(raw)
    step_med, step_p95 = summary(stepping)
    print(
        f"    goto      random goto_frame  median {goto_med:6.2f} µs   p95 {goto_p95:6.2f} µs   ({len(picks):,} jumps)"
    )
    print(
        f"    floor     pread + orjson.loads median {raw_med:6.2f} µs   p95 {raw_p95:6.2f} µs   ratio {goto_med / raw_med:.1f}x"
    )
    print(f"    stepping  goto_frame(i + 1)  median {step_med:6.2f} µs   p95 {step_p95:6.2f} µs")
    print(f"    budget    ≤ {BUDGET_GOTO_US:.0f} µs: {verdict(goto_med <= BUDGET_GOTO_US)} (median), ", end="")
    print(f"{verdict(goto_p95 <= BUDGET_GOTO_US)} (p95)")
    path.unlink()


# -- (c) the peer ------------------------------------------------------------------------------


PEER_RECORD = textwrap.dedent(
    """
    import json, os, statistics, sys, time
    from agent_vcr.recorder import VCRRecorder
    frames, workdir, input_state, output_state = json.loads(sys.stdin.read())
    recorder = VCRRecorder(output_dir=workdir)
    recorder.start_session(session_id="peer-bench")
    samples = []
    for step in range(frames):
        input_state["step"] = step
        began = time.perf_counter_ns()
        recorder.record_step("plan", input_state, output_state)
        samples.append(time.perf_counter_ns() - began)
    began = time.perf_counter()
    recorder.save()
    save = time.perf_counter() - began
    samples.sort()
    print(json.dumps({"median": statistics.median(samples) / 1000, "p95": samples[int(len(samples) * .95)] / 1000,
                      "save": save}))
    """
)


def bench_peer(workdir: Path, sizes: Sizes, peer_python: str) -> None:
    print(f"(c) the peer package ({peer_python}) recording {sizes.peer_frames:,} frames of the same states")
    payload = json.dumps([sizes.peer_frames, str(workdir / "peer"), agent_state(1, 2048), agent_state(2, 2048)])
    try:
        out = subprocess.run(
            [peer_python, "-c", PEER_RECORD], input=payload, capture_output=True, text=True, check=True, timeout=300
        )
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"    skipped: the peer could not run ({exc})")
        return
    facts = json.loads(out.stdout)
    print(
        f"    peer record_step median {facts['median']:.1f} µs   p95 {facts['p95']:.1f} µs"
        f"   (buffered in memory, not flushed); save() {facts['save'] * 1000:.0f} ms"
    )


# -- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run (seconds), for a smoke check")
    parser.add_argument("--dir", type=Path, default=None, help="where to write the scratch files (default: a temp dir)")
    parser.add_argument("--peer-python", default=None, help="python of a venv with ai-agent-vcr, to measure the peer")
    parser.add_argument("--skip-read", action="store_true", help="only the recording section")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else Sizes()

    workdir = Path(tempfile.mkdtemp(prefix="vcr-bench-", dir=args.dir))
    print(f"vcr-tui engine bench: Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, scratch dir {workdir}")
    began = time.perf_counter()
    try:
        bench_record(workdir, sizes)
        if not args.skip_read:
            bench_read(workdir, sizes)
        if args.peer_python:
            bench_peer(workdir, sizes, args.peer_python)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"total {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
