"""Browser benchmark: ``vcr-tui serve`` to frames on the page, and a 10,000-frame bundle.

(a) serve: from starting ``vcr-tui serve`` on the sample recording to the frame list drawn in a
    headless Chromium tab (the first frame's node name streamed to the page), median and p95 over
    a few starts; baseline in the same run: textual-serve serving a minimal Textual app (one
    line of text) to the same browser. Budget: ≤ 3 s.
(b) bundle: a 10,000-frame recording whose states are ~2 KB of varied words (so gzip has real
    work, unlike a state of repeated characters): build time, page size, and from opening the
    file in a tab to its first frame shown, median and p95; baseline: a 10-frame bundle opened
    the same way. Budgets: ≤ 20 MB, opens in ≤ 3 s.

Chromium is Debian's (``/usr/bin/chromium``), driven by Playwright. Run:
``python bench/bench_browser.py`` (``--frames N``, ``--starts N``, ``--opens N``, ``--serve-only``).
"""

from __future__ import annotations

import argparse
import random
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sample_stats import p95

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' browser driver and lines

from tests.support.browser_support import ServedScreen, browser
from tests.support.vcr_lines import frame, header

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "vcr_tui" / "samples" / "sample.vcr"
BUDGET_SERVE_S = 3.0
BUDGET_BUNDLE_MB = 20.0
BUDGET_OPEN_S = 3.0
MINIMAL_APP = (
    "from textual.app import App\nfrom textual.widgets import Static\n"
    "class Hello(App):\n    def compose(self):\n        yield Static('minimal-app-ready')\n"
    "Hello().run()\n"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_once(context, argv: list[str], needle: str, url_of) -> float:
    """Seconds from starting a server process to ``needle`` drawn in a new tab."""
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True
    )
    try:
        url = url_of(process)
        page = context.new_page()
        screen = ServedScreen(page)
        page.goto(url)
        screen.wait_for(needle)
        elapsed = time.perf_counter() - started
        page.close()
        return elapsed
    finally:
        process.terminate()
        process.wait(timeout=30)


def our_url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    return process.stdout.readline().rsplit(" at ", 1)[1].strip()


def minimal_server(port: int) -> list[str]:
    command = shlex.join([sys.executable, "-c", MINIMAL_APP])
    code = f"from textual_serve.server import Server; Server({command!r}, host='127.0.0.1', port={port}).serve()"
    return [sys.executable, "-c", code]


def listening_url(port: int):
    def wait(process: subprocess.Popen[str]) -> str:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return f"http://127.0.0.1:{port}/"
            except OSError:
                time.sleep(0.01)
        raise RuntimeError("the baseline server never listened")

    return wait


def write_recording(path: Path, frames: int) -> None:
    """Frames with ~2 KB states of varied words: a chat that grows by one message a step."""
    rng = random.Random(7)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(3000)]

    def text(count: int) -> str:
        return " ".join(rng.choice(words) for _ in range(count))

    messages: list[dict[str, str]] = []
    with path.open("wb") as out:
        out.write(header("bench", frame_count=frames))
        for index in range(frames):
            messages = messages[-8:]
            state = {"step": index, "task": "fix the failing test", "messages": list(messages), "notes": text(20)}
            reply = {"role": "assistant", "content": text(30)}
            after = {**state, "step": index + 1, "messages": [*messages, reply]}
            messages.append(reply)
            meta = {"model": "m", "latency_ms": 12.5, "tokens_used": 100, "cost_usd": 0.001, "custom": {}}
            out.write(
                frame(
                    f"node_{index % 13}",
                    index,
                    session_id="bench",
                    input_state=state,
                    output_state=after,
                    metadata=meta,
                )
            )


def open_times(context, page_file: Path, opens: int) -> list[float]:
    times = []
    for _ in range(opens):
        page = context.new_page()
        started = time.perf_counter()
        page.goto(page_file.as_uri())
        page.wait_for_selector("body[data-shown='0:0']")
        times.append(time.perf_counter() - started)
        page.close()
    return times


def build(recording: Path, output: Path) -> float:
    started = time.perf_counter()
    argv = [sys.executable, "-c", "from vcr_tui.cli import main; main()", "bundle", str(recording), "-o", str(output)]
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - started


def line(label: str, values: list[float], floor: list[float], budget: float, unit: str = "s") -> None:
    median, base = statistics.median(values), statistics.median(floor)
    verdict = "within budget" if p95(values) <= budget else "OVER BUDGET"
    print(
        f"{label}: median {median:.2f} {unit}, p95 {p95(values):.2f} {unit}; baseline median {base:.2f} {unit}"
        f" (ratio {median / base:.2f}); budget {budget:g} {unit}: {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=10_000)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--opens", type=int, default=5)
    parser.add_argument("--serve-only", action="store_true", help="Only (a): skip building and opening bundles.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vcr-bench-browser-") as scratch:
        folder = Path(scratch)
        with browser(folder / "profile") as context:
            serve = [sys.executable, "-c", "from vcr_tui.cli import main; main()", "serve", str(SAMPLE), "--port", "0"]
            ours, floor = [], []
            for _ in range(args.starts):  # interleaved, so a change in the machine's load hits both alike
                ours.append(serve_once(context, serve, "tool:get_forecast", our_url))
                port = free_port()
                floor.append(serve_once(context, minimal_server(port), "minimal-app-ready", listening_url(port)))
            line("(a) serve to frames on the page", ours, floor, BUDGET_SERVE_S)
            if args.serve_only:
                return

            recording = folder / "big.vcr"
            write_recording(recording, args.frames)
            big, small = folder / "big.html", folder / "small.html"
            small_recording = folder / "small.vcr"
            write_recording(small_recording, 10)
            seconds = build(recording, big)
            build(small_recording, small)
            megabytes = big.stat().st_size / 1_000_000
            print(
                f"(b) bundle of {args.frames:,} frames ({recording.stat().st_size / 1_000_000:.1f} MB recording):"
                f" built in {seconds:.1f} s, {megabytes:.1f} MB; budget {BUDGET_BUNDLE_MB:g} MB:"
                f" {'within budget' if megabytes <= BUDGET_BUNDLE_MB else 'OVER BUDGET'}"
            )
            line(
                f"(b) open the {args.frames:,}-frame bundle",
                open_times(context, big, args.opens),
                open_times(context, small, args.opens),
                BUDGET_OPEN_S,
            )


if __name__ == "__main__":
    main()
