"""Values Python's json writes and orjson refuses or rounds are read, diffed, shown and forked exactly."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from recorder import VCRPlayer
from recorder.index import decode_line
from vcr_tui.logic.formatting import compact_json, scalar_text, value_as_clipboard_text
from vcr_tui.logic.safe_text import clean

WIDE = 2**80
LONE = "caf\udce9"  # what os.listdir gives for a name that is not UTF-8


def peer_line(kind: str, data: dict[str, Any]) -> str:
    """One record as the peer writes it: Python's json, NaN allowed, non-ASCII escaped."""
    return json.dumps({"type": kind, "data": data}) + "\n"


def frame_data(i: int, output: dict[str, Any]) -> dict[str, Any]:
    return {
        "frame_id": f"00000000-0000-4000-8000-{i:012d}",
        "session_id": "peer",
        "parent_frame_id": None,
        "timestamp": "2026-01-01T00:00:00.000000+00:00",
        "frame_type": "node",
        "node_name": f"n{i}",
        "input_state": {"i": i},
        "output_state": output,
        "metadata": {"latency_ms": 1.0, "custom": {}},
        "state_diff": None,
    }


OUTPUTS: list[dict[str, Any]] = [
    {"score": float("nan"), "hi": float("inf"), "lo": float("-inf")},
    {"count": WIDE, "small": -(2**70)},
    {"count": WIDE + 1, "small": -(2**70)},
    {"name": LONE, LONE: "as a key"},
    {"score": float("nan"), "hi": float("inf"), "lo": float("-inf")},
]


def peer_file(tmp_path: Path) -> Path:
    path = tmp_path / "peer.vcr"
    header = {"session_id": "peer", "created_at": "", "updated_at": "", "metadata": {}, "tags": []}
    lines = [peer_line("session", header), *(peer_line("frame", frame_data(i, out)) for i, out in enumerate(OUTPUTS))]
    path.write_text("".join(lines), encoding="ascii")
    return path


def same(a: Any, b: Any) -> bool:
    """Equal, with NaN equal to NaN and ints never equal to floats."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if type(a) in (int, float) or type(b) in (int, float):
        return isinstance(a, float) == isinstance(b, float) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def test_every_value_loads_exactly(tmp_path: Path) -> None:
    player = VCRPlayer.load(peer_file(tmp_path))
    assert len(player) == len(OUTPUTS)
    assert player.problems == []
    for index, expected in enumerate(OUTPUTS):
        assert same(player.get_frame(index).output_state, expected), index
    assert player.goto_frame(1)["count"] == WIDE and isinstance(player.goto_frame(1)["count"], int)


def test_wide_integers_that_differ_by_one_are_a_change(tmp_path: Path) -> None:
    player = VCRPlayer.load(peer_file(tmp_path))
    changes = player.compare_frames(1, 2)
    assert [(c.path, c.kind, c.old, c.new) for c in changes] == [(("count",), "changed", WIDE, WIDE + 1)]
    assert player.compare_frames(0, 4) == []  # NaN is NaN, infinities equal themselves


def test_values_are_shown_as_the_file_spells_them(tmp_path: Path) -> None:
    player = VCRPlayer.load(peer_file(tmp_path))
    nan_state, wide_state, lone_state = (player.get_frame(i).output_state for i in (0, 1, 3))
    assert scalar_text(wide_state["count"]).plain == str(WIDE)
    assert [scalar_text(nan_state[k]).plain for k in ("score", "hi", "lo")] == ["NaN", "Infinity", "-Infinity"]
    assert str(WIDE) in compact_json(wide_state, 200)
    assert "NaN" in compact_json(nan_state, 200)
    shown = clean(lone_state["name"])
    assert shown == "caf\\udce9"
    shown.encode("utf-8")  # a terminal can be sent it
    assert json.loads(value_as_clipboard_text(wide_state))["count"] == WIDE
    assert "\\udce9" in compact_json(lone_state, 200)
    assert value_as_clipboard_text(lone_state["name"]) == "caf\\udce9"  # what `y` copies can be sent


def test_a_fork_copies_every_value_unchanged(tmp_path: Path) -> None:
    source = peer_file(tmp_path)
    fork = VCRPlayer.load(source).fork(len(OUTPUTS) - 1, output_dir=tmp_path / "forks")
    fork.close()
    assert fork.path is not None
    lines = fork.path.read_bytes().splitlines()
    copied = [json.loads(line) for line in lines if b'"type":"frame"' in line or b'"type": "frame"' in line]
    for index, expected in enumerate(OUTPUTS[:-1]):
        assert same(copied[index]["data"]["output_state"], expected), index
    checkpoint = copied[len(OUTPUTS) - 1]["data"]
    assert same(checkpoint["output_state"], {"i": len(OUTPUTS) - 1})
    reread = VCRPlayer.load(fork.path)
    for index, expected in enumerate(OUTPUTS[:-1]):
        assert same(reread.get_frame(index).output_state, expected), index


def test_a_fork_starting_on_odd_values_keeps_them(tmp_path: Path) -> None:
    path = tmp_path / "input.vcr"
    header = {"session_id": "peer", "created_at": "", "updated_at": "", "metadata": {}, "tags": []}
    data = frame_data(0, {})
    data["input_state"] = {"score": float("nan"), "count": WIDE, "name": LONE}
    path.write_text(peer_line("session", header) + peer_line("frame", data), encoding="ascii")
    fork = VCRPlayer.load(path).fork(0, output_dir=tmp_path / "forks")
    fork.close()
    assert fork.path is not None
    start = VCRPlayer.load(fork.path).get_frame(0)
    assert same(start.output_state, {"score": float("nan"), "count": WIDE, "name": LONE})
    assert same(start.input_state, start.output_state)


def test_an_ordinary_line_never_takes_the_slow_parse() -> None:
    line = b'{"type":"frame","data":{"n":12345678901234567,"id":"00000000-0000-4000-8000-000000000001"}}'
    assert decode_line(line).value["data"]["n"] == 12345678901234567
    wide = b'{"a":[1208925819614629174706177, 18446744073709551616]}'
    assert decode_line(wide).value == {"a": [WIDE + 1, 2**64]}
