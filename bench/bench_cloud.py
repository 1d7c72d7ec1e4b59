"""Beyond one machine: a 100,000-frame recording opened from S3, and a 10,000-frame OTLP export.

(a) The recording (~250 MB, the engine benchmark's frames) is uploaded to moto's S3 server on
    127.0.0.1 (from the tests' cached venv). Measured, each against the same file on local disk in
    the same run:
    - first screen: from starting ``vcr-tui s3://...`` in a pseudo-terminal to a frame's
      row on it (local: ``vcr-tui FILE``); budget ≤ 1 s;
    - index: the whole object indexed by ranged reads, no cache (local: ``VCRReader(FILE)``);
      budget ≤ 3× local. Beside it, the floor of the transfer alone with the same client, nothing
      parsed: ranged GETs of 32 MB one after another, the same two at a time (``cat_ranges``),
      and one GET read in 4 MB pieces as the index reads it (``ObjectStream``);
    - second open: the index read back from the local cache (one metadata request); budget
      ≤ the local index time.
(b) 10,000 frames of ~1 KB states exported with ``recorder.otel.export`` to an OTLP/HTTP receiver
    on 127.0.0.1 (a stdlib server that reads each request whole and answers 200): budget ≤ 5 s.
    Floor: posting the same bytes to the same receiver in as many requests. With ``--phoenix``,
    the same export to a real Arize Phoenix on 127.0.0.1 (the tests' cached venv), which answers
    each batch once it has taken it in: the export's time, and until Phoenix lists every span.

Run: ``python bench/bench_cloud.py`` (``--frames N``, ``--runs N``, ``--skip-s3``, ``--skip-otlp``,
``--phoenix``).
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' service helpers

from bench_engine import agent_state, timed, write_big_file
from pty_terminal import Terminal, vcr_tui_argv
from sample_stats import p95

from recorder import VCRReader, VCRRecorder
from recorder.object_index import ObjectIndex
from tests.support.s3_support import credentials
from tests.support.service_venv import MOTO, ensure_tool, free_port, running

BUDGET_FIRST_SCREEN_S = 1.0
BUDGET_INDEX_RATIO = 3.0
BUDGET_CACHED_RATIO = 1.0
BUDGET_EXPORT_S = 5.0


def show(label: str, values: list[float], unit: str = "s") -> float:
    median = statistics.median(values)
    print(f"  {label:<44} median {median:8.3f} {unit}   p95 {p95(values):8.3f} {unit}   (n={len(values)})")
    return median


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER BUDGET"


def first_screen(argument: str, env: dict[str, str]) -> float:
    terminal = Terminal(vcr_tui_argv(argument), env=env)
    try:
        terminal.wait_for([b"node_"], 0, timeout=600)  # any frame row: a live object scrolls to its newest frames
        return time.perf_counter() - terminal.started
    finally:
        terminal.close()


def bench_s3(workdir: Path, frames: int, runs: int) -> None:
    print(f"(a) a {frames:,}-frame recording in S3 (moto on 127.0.0.1)")
    path = write_big_file(workdir, frames)
    print(f"  file: {path.stat().st_size / 1e6:.0f} MB")
    python = ensure_tool(MOTO)
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    env_server = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    with running(
        [str(python), "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        f"{endpoint}/",
        workdir / "moto.log",
        env_server,
    ):
        os.environ.update(credentials(endpoint))
        os.environ["VCR_TUI_CACHE"] = str(workdir / "cache")
        import s3fs

        fs = s3fs.S3FileSystem()
        fs.mkdir("bench")
        fs.put_file(str(path), "bench/run.vcr")
        url = "s3://bench/run.vcr"

        local = show("local index (VCRReader)", timed(runs, lambda: VCRReader(path).close()))
        cold = show("S3 index, no cache (one streamed GET)", timed(runs, lambda: _index(url, workdir, cache=False)))
        floors = _transfer_floors(url, path.stat().st_size, runs)
        _index(url, workdir, cache=True)  # fills the cache
        cached = show("S3 second open (cached index)", timed(runs, lambda: _index(url, workdir, cache=True)))
        env = {**credentials(endpoint), "VCR_TUI_CACHE": str(workdir / "cache-screen")}
        screen_local = show("first screen, local file", [first_screen(str(path), env) for _ in range(runs)])
        screen_s3 = show("first screen, s3:// (no cache)", [_fresh_screen(url, env, workdir, n) for n in range(runs)])
        print(
            f"  first screen from S3: {screen_s3:.2f} s (local {screen_local:.2f} s)   budget ≤ {BUDGET_FIRST_SCREEN_S} s: {verdict(screen_s3 <= BUDGET_FIRST_SCREEN_S)}"
        )
        print(
            f"  index ratio S3/local: {cold / local:.2f}×   budget ≤ {BUDGET_INDEX_RATIO}×: {verdict(cold / local <= BUDGET_INDEX_RATIO)}"
        )
        best = min(floors.values())
        print(
            "  transfer floors / local index: "
            + ", ".join(f"{name} {value / local:.2f}×" for name, value in floors.items())
            + f"; the index / the fastest transfer: {cold / best:.2f}×"
        )
        if best / local > BUDGET_INDEX_RATIO:
            print(
                f"  the transfer alone exceeds {BUDGET_INDEX_RATIO}× the local index: the budget is out of reach here"
            )
        print(
            f"  cached open / local index: {cached / local:.2f}×   budget ≤ {BUDGET_CACHED_RATIO}×: {verdict(cached / local <= BUDGET_CACHED_RATIO)}"
        )


def _index(url: str, workdir: Path, *, cache: bool) -> None:
    index = ObjectIndex(url, cache_dir=workdir / "cache", use_cache=cache)
    index.update()
    index.close()


def _transfer_floors(url: str, size: int, runs: int) -> dict[str, float]:
    """Seconds to GET every byte of the object with the same client, parsing nothing."""
    from recorder.object_stream import ObjectStream
    from recorder.storage import ObjectStore

    store = ObjectStore(url)
    block = 32 << 20
    starts = list(range(0, size, block))

    def sequential() -> None:
        for start in starts:
            store.read(start, min(start + block, size))

    def overlapped() -> None:
        for at in range(0, len(starts), 2):
            window = starts[at : at + 2]
            store.read_many([(start, min(start + block, size)) for start in window])

    def streamed() -> None:
        stream = ObjectStream(store, 0, size, store.version().tag, piece=4 << 20)
        while stream.read(4 << 20):
            pass
        stream.close()

    return {
        "sequential": show("floor: 32 MB ranged GETs in turn", timed(runs, sequential)),
        "overlapped": show("floor: 32 MB ranged GETs, 2 in flight", timed(runs, overlapped)),
        "streamed": show("floor: one GET read in 4 MB pieces", timed(runs, streamed)),
    }


def _fresh_screen(url: str, env: dict[str, str], workdir: Path, run: int) -> float:
    return first_screen(url, {**env, "VCR_TUI_CACHE": str(workdir / f"cache-screen-{run}")})


class _Sink(BaseHTTPRequestHandler):
    """An OTLP/HTTP receiver that accepts everything: reads the body, answers 200 with an empty one."""

    received = 0

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        _Sink.received += len(self.rfile.read(length))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def bench_otlp(workdir: Path, frames: int, runs: int, phoenix: bool = False) -> None:
    from recorder.otel import export

    print(f"(b) exporting {frames:,} frames over OTLP/HTTP to a receiver on 127.0.0.1")
    recorder = VCRRecorder(workdir / "otlp")
    recorder.start_session("bench-otlp")
    states = [agent_state(step, 1000) for step in range(8)]
    for step in range(frames):
        if step % 3 == 1:
            recorder.record_llm_call("model-x", states[step % 8]["messages"], "ok", tokens_input=100, tokens_output=20)
        else:
            recorder.record_step(f"node_{step % 5}", states[step % 8], states[(step + 1) % 8])
    recorder.close()
    assert recorder.path is not None
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        _Sink.received = 0
        total = show("export (read, build spans, encode, send)", timed(runs, lambda: export(recorder.path, url)))
        per_run = _Sink.received // runs
        batches = -(-(frames + 1) // 512)
        floor = show(
            "floor: POST the same bytes", timed(runs, lambda: _post(server.server_address[1], per_run, batches))
        )
        print(f"  {per_run / 1e6:.1f} MB per export in {batches} requests; export / floor: {total / floor:.1f}×")
        print(
            f"  export of {frames:,} frames: {total:.2f} s   budget ≤ {BUDGET_EXPORT_S} s: {verdict(total <= BUDGET_EXPORT_S)}"
        )
        if phoenix:
            _to_phoenix(recorder.path, frames, runs, total)
    finally:
        server.shutdown()
    print(f"  load average {' '.join(f'{value:.2f}' for value in os.getloadavg())}")


def _to_phoenix(path: Path, frames: int, runs: int, to_sink: float) -> None:
    from recorder.otel import export
    from tests.support.phoenix_support import _Start

    print("  starting Arize Phoenix on 127.0.0.1 (minutes on a busy machine) ...")
    start = _Start()
    try:
        try:
            server = start.ready()
        except BaseException as exc:  # pytest's skip when Phoenix cannot be installed here
            print(f"  Phoenix unavailable: {exc}")
            return
        exported: list[float] = []
        listed: list[float] = []
        for _ in range(runs):
            started = time.perf_counter()
            summary = export(path, server.url)
            exported.append(time.perf_counter() - started)
            spans = server.wait_for_spans(summary.trace_id, summary.spans, deadline_s=300)
            listed.append(time.perf_counter() - started)
            if len(spans) != summary.spans:
                print(f"  Phoenix lists {len(spans)} of {summary.spans} spans")
        median = show("export to Phoenix (every batch accepted)", exported)
        show("until Phoenix lists every span", listed)
        print(
            f"  export of {frames:,} frames to Phoenix: {median:.2f} s ({median / to_sink:.1f}× the receiver that "
            f"only reads)   budget ≤ {BUDGET_EXPORT_S} s: {verdict(median <= BUDGET_EXPORT_S)}"
        )
    finally:
        start.stop()


def _post(port: int, size: int, requests: int) -> None:
    body = b"\0" * (size // requests)
    connection = http.client.HTTPConnection("127.0.0.1", port)
    for _ in range(requests):
        connection.request("POST", "/v1/traces", body, {"Content-Type": "application/x-protobuf"})
        connection.getresponse().read()
    connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--export-frames", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-s3", action="store_true")
    parser.add_argument("--skip-otlp", action="store_true")
    parser.add_argument("--phoenix", action="store_true", help="also export to a real Arize Phoenix on 127.0.0.1")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="vcr-bench-cloud-") as scratch:
        workdir = Path(scratch)
        if not args.skip_s3:
            bench_s3(workdir, args.frames, args.runs)
        if not args.skip_otlp:
            bench_otlp(workdir, args.export_frames, args.runs, args.phoenix)
    return 0


if __name__ == "__main__":
    sys.exit(main())
