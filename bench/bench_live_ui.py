"""Live-tail benchmark at the level of the screen: from an append to its row on the terminal.

    python bench/bench_live_ui.py              # 100 appends locally, 100 through ssh on loopback
    python bench/bench_live_ui.py --samples 40 --no-ssh

The real program runs in a pseudo-terminal (as in ``bench_tui.py``), follows a recording, and
the view is put on its last frame (LIVE). Then, at irregular intervals, this script appends one
frame with a node name never seen before and times how long until that name has been drawn on
the terminal: polling, indexing, the screen's update and the terminal output included.

Baseline, measured in the same run: the same appends followed by a ``Source`` in this process,
timed until the frame is indexed and parsed (what ``bench_follow.py`` measures). The ratio is
what the screen adds. Budgets: p95 <= 250 ms locally, <= 1 s over ssh. Exit status
1 when one is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sample_stats import percentile

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # bench_tui's pseudo-terminal
sys.path.insert(0, str(HERE.parent))  # the tests' sshd helper and recording lines

from pty_terminal import Terminal, vcr_tui_argv  # noqa: E402

from tests.support.vcr_lines import frame, header  # noqa: E402
from vcr_tui.sources import Source, SSHOptions, open_source  # noqa: E402

BUDGET_LOCAL_S = 0.25
BUDGET_SSH_S = 1.0
PAUSE_RANGE = (0.06, 0.15)  # between appends: a busy agent, and more than the screen's update interval


def frame_line(index: int, node: str) -> bytes:
    state = {"step": index, "messages": [{"role": "user", "content": "word " * 40}], "notes": "n" * 300}
    return frame(
        node,
        index,
        session_id="bench-live",
        input_state=state,
        output_state={**state, "step": index + 1},
        metadata={"model": None, "latency_ms": 5.0, "custom": {}},
    )


class Recording:
    """A file this script appends to, one whole line per ``os.write`` (as a recorder does)."""

    def __init__(self, path: Path, frames: int = 20) -> None:
        self.path = path
        path.write_bytes(header("bench-live") + b"".join(frame_line(i, f"start_{i}") for i in range(frames)))
        self.count = frames
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND)

    def append(self, node: str) -> None:
        os.write(self._fd, frame_line(self.count, node))
        self.count += 1

    def close(self) -> None:
        os.close(self._fd)


def summary(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:7.1f} ms   p95 {percentile(values, 0.95) * 1000:7.1f} ms"


def on_screen(argument: str, recording: Recording, samples: int, seed: int) -> list[float]:
    """Seconds from each append to its node name drawn by the program following ``argument``."""
    terminal = Terminal(vcr_tui_argv(argument))
    jitter = random.Random(seed)
    latencies: list[float] = []
    try:
        terminal.wait_for([b"start_0"], 0)
        terminal.drain()
        mark = terminal.press(b"G")  # the last frame: the view follows the end
        terminal.wait_for([b"LIVE"], mark)
        terminal.drain()
        for sample in range(samples):
            time.sleep(jitter.uniform(*PAUSE_RANGE))
            node = f"mark_{seed}_{sample:05d}"
            since = len(terminal.output)
            began = time.perf_counter()
            recording.append(node)
            terminal.wait_for([node.encode()], since, timeout=30)
            latencies.append(time.perf_counter() - began)
    finally:
        terminal.close()
    return latencies


def in_process(argument: str, recording: Recording, samples: int, seed: int, options: SSHOptions | None) -> list[float]:
    """The baseline: the same appends, until a ``Source`` here has indexed and parsed them."""
    source: Source = open_source(argument, ssh_options=options)
    jitter = random.Random(seed)
    latencies: list[float] = []
    try:
        source.start()
        wait_until(lambda: len(source.reader) >= recording.count and source.status.state.value == "live", source)
        for _ in range(samples):
            time.sleep(jitter.uniform(*PAUSE_RANGE))
            wanted = recording.count + 1
            began = time.perf_counter()
            recording.append(f"base_{recording.count}")
            wait_until(lambda: len(source.reader) >= wanted, source)  # noqa: B023  (waited for at once)
            source.reader.frame(wanted - 1)
            latencies.append(time.perf_counter() - began)
    finally:
        source.close()
    return latencies


def wait_until(done: Callable[[], bool], source: Source, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"source stuck: {source.status}")
        if source.wait(0.01):
            source.take()


def measure(label: str, argument: str, recording: Recording, samples: int, options: SSHOptions | None) -> float:
    base = in_process(argument, recording, samples, 1, options)
    screen = on_screen(argument, recording, samples, 2)
    print(f"  {label:6} on screen n={len(screen)}  {summary(screen)}")
    print(f"  {label:6} indexed   n={len(base)}  {summary(base)}   (baseline, no screen)")
    print(f"  {label:6} ratio p95 screen / baseline: {percentile(screen, 0.95) / percentile(base, 0.95):.2f}x")
    return percentile(screen, 0.95)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=100, help="appends per measurement")
    parser.add_argument("--no-ssh", action="store_true", help="skip the ssh measurement")
    arguments = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; python {sys.version.split()[0]}")
    ok = True
    with tempfile.TemporaryDirectory(prefix="vcr-tui-bench-") as scratch, contextlib.ExitStack() as stack:
        folder = Path(scratch)
        print("append to visible on the terminal:")
        local = Recording(folder / "local.vcr")
        stack.callback(local.close)
        p95 = measure("local", str(local.path), local, arguments.samples, None)
        ok &= p95 <= BUDGET_LOCAL_S
        print(f"  local  budget p95 {BUDGET_LOCAL_S * 1000:.0f} ms")
        if not arguments.no_ssh:
            from tests.support.sshd import SSHDUnavailable, running_sshd

            try:
                server = stack.enter_context(running_sshd(folder / "sshd"))
            except SSHDUnavailable as exc:
                print(f"  ssh    skipped: no OpenSSH server can run here ({exc})")
            else:
                remote = Recording(folder / "remote.vcr")
                stack.callback(remote.close)
                os.environ["VCR_TUI_SSH_ARGS"] = f"-F {server.config}"  # for the program in the terminal
                options = SSHOptions(extra_args=("-F", str(server.config)), use_environment=False)
                p95 = measure("ssh", server.url(remote.path), remote, arguments.samples, options)
                ok &= p95 <= BUDGET_SSH_S
                print(f"  ssh    budget p95 {BUDGET_SSH_S * 1000:.0f} ms")
    print("all budgets met" if ok else "BUDGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
