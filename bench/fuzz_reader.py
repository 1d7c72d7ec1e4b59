"""Fuzz the reader: mutated recordings must load, read and diff without an exception, and lose no
frame that a tolerant reference parse finds.

A mutation loop (no extra dependency): seeds are small recordings of every kind the reader
meets (our own, the peer's Python-json lines with NaN, wide integers and lone surrogates,
diff-mode frames, deep states, CRLF and CR-only endings); each input is a seed with a few
random mutations (byte flips, inserted JSON-ish tokens, deleted or duplicated ranges, spliced
lines, huge numbers, deep nesting, line-ending swaps). Every input is written to a file and
read the way the API and the app read it: ``VCRPlayer.load``, every ``get_frame`` and
``goto_frame``, the frame-list row of every line, ``problems``; one input in ``--deep-share``
also gets every ``step_changes``, neighbouring ``compare_frames`` and a fork of its first
frames (deepdiff and a file written cost milliseconds).

The reference is Python's own ``json`` on each line (LF, or bare CR for a file without LF; BOM
and whitespace stripped; invalid UTF-8 replaced): a line that is a JSON object with
``"type": "frame"`` and a ``data`` object is a frame the reader must show. Frames lost counts
those the reader showed as unreadable or not at all.

Beside each file, ``--lines-per-file`` single mutated lines go straight through the steps the
reader takes for one line (parse, depth cut, frame, decode, patch ops, frame-list row), which
costs a hundredth of a file and so reaches hundreds of thousands of inputs in minutes.

Prints the counts: inputs tried, exceptions (with the first few tracebacks), frames lost.
Run: ``python bench/fuzz_reader.py [--inputs 300000] [--seed 1]``; not part of CI.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

from recorder import VCRPlayer, VCRRecorder
from recorder.encoding import decode_value
from recorder.index import decode_line
from recorder.models import frame_from_dict
from recorder.nesting import may_nest_deeper, shallow_copy_deep_parts
from recorder.state_patch import apply_ops
from vcr_tui.logic.frame_rows import row_from_line

TOKENS = [
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b"1e400",
    b"-0",
    b"1208925819614629174706176",
    b"9" * 30,
    b'"\\ud800"',
    b'"\\udc80x"',
    b"\\u0000",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\r",
    b"\n",
    b"\r\n",
    b"{",
    b"}",
    b"[",
    b"]",
    b'"',
    b"\\",
    b",",
    b":",
    b"null",
    b"true",
    b'{"type":"frame","data":{}}',
    b'{"type":"session","data":{"session_id":7}}',
    b'"state_diff":[{"op":"add","path":"/x/\xd9\xa3","value":1}]',
    b'"/items/' + b"9" * 5000 + b'"',
    b"\xe2\x80\x8b",
    b"\xe2\x80\xae",
]


def seed_files(folder: Path) -> list[bytes]:
    """Small recordings of every shape the reader meets, as bytes."""
    seeds: list[bytes] = []
    recorder = VCRRecorder(folder)
    recorder.start_session(session_id="own", metadata={"task": "fuzz"})
    for step in range(4):
        recorder.record_step(
            f"n{step}",
            {"messages": [{"role": "user", "content": f"hi {step}"}], "n": step},
            {"messages": [{"role": "assistant", "content": "ok"}], "n": step + 1, "tags": ["a", "b"]},
            metadata={"tokens_used": 10, "cost_usd": 0.001, "model": "m"},
        )
    recorder.record_error("bad", {"x": 1}, ValueError("boom"))
    recorder.close()
    assert recorder.path is not None
    seeds.append(recorder.path.read_bytes())

    def peer(kind: str, data: dict[str, Any]) -> bytes:
        return (json.dumps({"type": kind, "data": data}) + "\n").encode()

    def frame(i: int, output: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {
            "frame_id": f"f{i}",
            "session_id": "peer",
            "parent_frame_id": None,
            "timestamp": "2026-01-01T00:00:00",
            "frame_type": "node",
            "node_name": f"p{i}",
            "input_state": {"i": i},
            "output_state": output,
            "metadata": {"latency_ms": 1.5, "custom": {}},
            "state_diff": None,
            **extra,
        }

    head = peer("session", {"session_id": "peer", "created_at": "", "updated_at": "", "metadata": {}, "tags": []})
    values = [{"v": float("nan")}, {"v": 2**80}, {"v": 2**80 + 1}, {"v": "caf\udce9"}, {"v": float("-inf")}]
    seeds.append(head + b"".join(peer("frame", frame(i, out)) for i, out in enumerate(values)))
    diff = [
        peer("frame", frame(0, {"items": [1, 2, 3], "k": "v"})),
        peer("frame", frame(1, {}, input_state={}, state_diff=[{"op": "replace", "path": "/items/1", "value": 9}])),
        peer("frame", frame(2, {}, input_state={}, state_diff=[{"op": "remove", "path": "/k"}])),
        peer("frame", frame(3, {}, input_state={}, state_diff=[{"op": "add", "path": "/items/-", "value": 4}])),
    ]
    seeds.append(head + b"".join(diff))
    deep = '{"type":"frame","data":{"node_name":"deep","output_state":{"t":' + '{"d":' * 600 + "1" + "}" * 602
    seeds.append(head + deep.encode() + b"\n" + peer("frame", frame(9, {"after": True})))
    seeds.append(seeds[0].replace(b"\n", b"\r\n"))
    seeds.append(seeds[1].replace(b"\n", b"\r"))
    return seeds


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to four random edits of ``data``."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        at = rng.randrange(len(out) + 1)
        if choice < 0.2 and out:  # flip a byte
            out[min(at, len(out) - 1)] = rng.randrange(256)
        elif choice < 0.45:  # insert a JSON-ish token
            out[at:at] = rng.choice(TOKENS)
        elif choice < 0.6 and out:  # delete a range
            end = min(len(out), at + rng.randint(1, 64))
            del out[at:end]
        elif choice < 0.7 and out:  # duplicate a range
            end = min(len(out), at + rng.randint(1, 400))
            out[at:at] = out[at:end]
        elif choice < 0.8:  # splice in a line of another place
            lines = bytes(out).split(b"\n")
            if len(lines) > 1:
                lines.insert(rng.randrange(len(lines)), rng.choice(lines))
                out = bytearray(b"\n".join(lines))
        elif choice < 0.88:  # replace a number with a huge or odd one
            digit = next((i for i in range(at, len(out)) if 48 <= out[i] <= 57), -1)
            if digit >= 0:
                out[digit : digit + 1] = rng.choice([b"9" * rng.randint(19, 60), b"NaN", b"1e999", b"-0.0"])
        elif choice < 0.94:  # nest a value deeply
            depth = rng.choice([50, 300, 900, 1100])
            out[at:at] = b"[" * depth + b"1" + b"]" * depth
        else:  # cut the file short
            del out[at:]
    return bytes(out)


def reference_frames(data: bytes) -> int:
    """Frames a tolerant parse finds: Python's json on each line (LF, or bare CR without any LF)."""
    separator = b"\n" if b"\n" in data or b"\r" not in data else b"\r"
    return sum(line_is_frame(raw) for raw in data.split(separator))


def read_everything(path: Path, forks: Path, *, deep: bool) -> int:
    """Every read the API and the app make; returns how many frames read as frames.

    ``deep`` adds what costs milliseconds (deepdiff, a fork written to disk), so only a share
    of the inputs take it.
    """
    with VCRPlayer.load(path) as player:
        readable = 0
        for index in range(len(player)):
            frame = player.get_frame(index)
            player.goto_frame(index)
            row_from_line(player.reader.raw(index), index)
            if deep:
                player.step_changes(index)
                if index:
                    player.compare_frames(index - 1, index)
            if not frame.node_name.startswith("<unreadable"):
                readable += 1
        _ = player.problems
        if deep and len(player):
            fork = player.fork(min(2, len(player) - 1), output_dir=forks)
            fork.close()
        return readable


def line_is_frame(raw: bytes) -> bool:
    """The reference for one line: Python's json finds a frame record in it."""
    text = raw.strip()
    if text.startswith(b"\xef\xbb\xbf"):
        text = text[3:].strip()
    if not text:
        return False
    try:
        value = json.loads(text.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError):
        return False
    return isinstance(value, dict) and value.get("type") == "frame" and isinstance(value.get("data"), dict)


def read_line(raw: bytes, index: int) -> bool:
    """One frame line through the steps the reader and the frame list take; True if it reads."""
    row_from_line(raw, index)
    value, _, _ = decode_line(raw)
    data = value.get("data") if isinstance(value, dict) else None
    if not isinstance(data, dict) or value.get("type") != "frame":
        return False
    if may_nest_deeper(raw):
        data, _ = shallow_copy_deep_parts(data)
    frame, _ = frame_from_dict(data, index=index, line=index + 1)
    decode_value(frame.input_state)
    decode_value(frame.output_state)
    if frame.state_diff:
        apply_ops(frame.input_state, frame.state_diff)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=300_000, help="how many mutated recordings to try")
    parser.add_argument("--seed", type=int, default=1, help="random seed (the run is reproducible)")
    parser.add_argument("--lines-per-file", type=int, default=10, help="single mutated lines tried per file input")
    parser.add_argument("--seconds", type=float, default=None, help="stop after this long, whatever the count")
    parser.add_argument("--deep-share", type=int, default=20, help="one input in N is also diffed and forked")
    parser.add_argument("--keep", type=Path, default=None, help="folder to save the inputs that raised")
    args = parser.parse_args(argv)
    sys.setrecursionlimit(1000)  # what an application thread has: no extra headroom for the reader
    rng = random.Random(args.seed)
    base = Path(tempfile.mkdtemp(prefix="vcr-fuzz-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
    try:
        seeds = seed_files(base / "seeds")
        path, forks = base / "input.vcr", base / "forks"
        errors: Counter[str] = Counter()
        shown: list[str] = []
        lost = lost_inputs = reference_total = 0
        seed_lines = [[line for line in seed.replace(b"\r", b"\n").split(b"\n") if line] for seed in seeds]
        lines_tried = lines_expected = lines_lost = 0
        started = time.monotonic()
        deadline = started + args.seconds if args.seconds else None
        tried = 0
        while tried < args.inputs and (deadline is None or time.monotonic() < deadline):
            tried += 1
            data = mutate(rng.choice(seeds), rng)
            path.write_bytes(data)
            try:
                readable = read_everything(path, forks, deep=tried % args.deep_share == 0)
            except Exception as exc:  # what the fuzzing is for
                key = f"{type(exc).__name__}: {str(exc)[:80]}"
                errors[key] += 1
                if len(shown) < 5 and errors[key] == 1:
                    shown.append(traceback.format_exc(limit=6))
                if args.keep is not None:
                    args.keep.mkdir(parents=True, exist_ok=True)
                    (args.keep / f"input-{tried}.vcr").write_bytes(data)
                continue
            finally:
                shutil.rmtree(forks, ignore_errors=True)
            expected = reference_frames(data)
            reference_total += expected
            if readable < expected:
                lost += expected - readable
                lost_inputs += 1
            for _ in range(args.lines_per_file):
                lines = rng.choice(seed_lines)
                raw = mutate(rng.choice(lines), rng).split(b"\n")[0]
                lines_tried += 1
                try:
                    read = read_line(raw, lines_tried)
                except Exception as exc:
                    key = f"line: {type(exc).__name__}: {str(exc)[:80]}"
                    errors[key] += 1
                    if len(shown) < 5 and errors[key] == 1:
                        shown.append(traceback.format_exc(limit=6))
                    continue
                if line_is_frame(raw):
                    lines_expected += 1
                    if not read:
                        lines_lost += 1
            if tried % 5_000 == 0:
                rate = tried / (time.monotonic() - started)
                print(
                    f"  {tried:,} files and {lines_tried:,} lines, {sum(errors.values())} exceptions,"
                    f" {lost + lines_lost} frames lost ({rate:,.0f} files/s)",
                    flush=True,
                )
        elapsed = time.monotonic() - started
        deep_count = tried // args.deep_share
        print(
            f"inputs tried     {tried:,} in {elapsed:,.0f} s (seed {args.seed}); {deep_count:,} also diffed and forked"
        )
        print(f"exceptions       {sum(errors.values()):,}")
        for key, count in errors.most_common(10):
            print(f"    {count:>7,}  {key}")
        print(f"frames expected  {reference_total:,} (a tolerant reference parse: Python's json per line)")
        print(f"frames lost      {lost:,} in {lost_inputs:,} inputs")
        print(f"lines tried      {lines_tried:,} single mutated lines; {lines_expected:,} frames by the reference")
        print(f"lines lost       {lines_lost:,}")
        for text in shown:
            print(text)
        return 1 if errors or lost or lines_lost else 0
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
