"""A corpus of broken recordings: each one loads, shows what it can, and says what it skipped."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from recorder import VCRPlayer
from tests.support.vcr_lines import frame, header

BOM = b"\xef\xbb\xbf"

# name -> (file bytes, expected node names, substrings expected among the problem reasons)
CORPUS: dict[str, tuple[bytes, list[str], list[str]]] = {
    "empty file": (b"", [], ["no session header"]),
    "only blank lines": (b"\n\n  \n", [], ["no session header"]),
    "header only": (header(), [], []),
    "truncated last line": (header() + frame("a") + frame("b", 1)[:-30], ["a"], ["incomplete"]),
    "garbage between frames": (
        header() + frame("a") + b"not json at all\n" + frame("b", 1),
        ["a", "b"],
        ["invalid JSON"],
    ),
    "cut line in the middle": (header() + frame("a")[:50] + b"\n" + frame("b", 1), ["b"], ["truncated JSON"]),
    "json that is not an object": (
        header() + b'[1, 2]\n42\n"text"\nnull\n' + frame("a"),
        ["a"],
        ["JSON list", "JSON int", "JSON str", "JSON NoneType"],
    ),
    "record without type": (header() + b'{"data": {}}\n' + frame("a"), ["a"], ["record type None ignored"]),
    "unknown record type": (
        header() + b'{"type": "annotation", "data": {"x": 1}}\n' + frame("a"),
        ["a"],
        ["'annotation' ignored"],
    ),
    "frame data not an object": (
        header() + b'{"type":"frame","data":"oops"}\n' + frame("a"),
        ["<unreadable line 2>", "a"],
        ["without a data object"],
    ),
    "frame missing fields": (
        header() + b'{"type":"frame","data":{"frame_id":"x"}}\n',
        ["?"],
        ["no node_name", "no input_state", "no output_state"],
    ),
    "state of the wrong type": (
        header() + frame("a", input_state=[1, 2], output_state="s"),
        ["a"],
        ["input_state is list", "output_state is str"],
    ),
    "unknown frame type": (header() + frame("a", frame_type="telepathy"), ["a"], ["unknown frame_type 'telepathy'"]),
    "invalid utf-8": (header() + frame("cafX", 0).replace(b"cafX", b"caf\xe9"), ["caf\ufffd"], ["invalid UTF-8"]),
    "bom": (BOM + header() + frame("a"), ["a"], ["byte-order mark"]),
    "bom on a headerless file": (BOM + frame("a"), ["a"], ["byte-order mark", "no session header"]),
    "crlf line endings": ((header() + frame("a") + frame("b", 1)).replace(b"\n", b"\r\n"), ["a", "b"], []),
    "timestamp without zone": (
        header() + frame("a", timestamp="2026-01-01T00:00:00.123456"),
        ["a"],
        ["without a time zone"],
    ),
    "unreadable timestamp": (header() + frame("a", timestamp="yesterday"), ["a"], ["unreadable timestamp"]),
    "header missing": (frame("a") + frame("b", 1), ["a", "b"], ["no session header"]),
    "header repeated and last": (
        header("one") + frame("a") + header("two") + frame("b", 1) + header("three"),
        ["a", "b"],
        [],
    ),
    "header with data not an object": (
        b'{"type":"session","data":[]}\n' + frame("a"),
        ["a"],
        ["session record without a data object"],
    ),
    "pretty spacing from json.dumps": (
        b'{"type": "session", "data": {"session_id": "s"}}\n{"type": "frame", "data": {"node_name": "a", "input_state": {}, "output_state": {}}}\n',
        ["a"],
        [],
    ),
    "no newline at the end of a whole line": (header() + frame("a").rstrip(b"\n"), ["a"], []),
    "nul bytes and binary junk": (header() + b"\x00\x00\xff\xfe\n" + frame("a"), ["a"], ["invalid JSON"]),
    "nan literal": (  # Python's json writes it: read exactly, not a problem
        header() + b'{"type":"frame","data":{"node_name":"x","input_state":{"v":NaN},"output_state":{}}}\n',
        ["x"],
        [],
    ),
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_bad_input_loads_and_reports(tmp_path: Path, name: str) -> None:
    content, nodes, reasons = CORPUS[name]
    path = tmp_path / "bad.vcr"
    path.write_bytes(content)
    player = VCRPlayer.load(path)  # never raises for content
    assert [f.node_name for f in player] == nodes
    found = " | ".join(p.reason for p in player.problems)
    for reason in reasons:
        assert reason in found, f"{reason!r} not in {found!r}"
    if not reasons:
        assert player.problems == []
    for problem in player.problems:
        assert isinstance(problem.line, int) and problem.reason


def test_problems_give_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "bad.vcr"
    path.write_bytes(header() + frame("a") + b"junk\n" + b"\n" + b"{broken\n" + frame("b", 1))
    player = VCRPlayer.load(path)
    assert [p.line for p in player.problems] == [3, 5]
    assert tuple(player.problems[0]) == (3, player.problems[0].reason)  # plain (line, reason) tuples too


def test_cheap_problems_do_not_parse_frames(tmp_path: Path) -> None:
    path = tmp_path / "bad.vcr"
    path.write_bytes(header() + frame("a", frame_type="weird") + b"junk\n")
    player = VCRPlayer.load(path)
    assert [p.line for p in player.reader.problems_so_far] == [3]
    assert [p.line for p in player.problems] == [2, 3]


def test_a_huge_line_loads(tmp_path: Path) -> None:
    big = {"blob": "x" * 9_000_000}  # bigger than the index's read chunk
    path = tmp_path / "big.vcr"
    path.write_bytes(header() + frame("big", output_state=big) + frame("after", 1))
    player = VCRPlayer.load(path)
    assert [f.node_name for f in player] == ["big", "after"]
    assert player.get_frame(0).output_state == big


def test_lines_do_not_depend_on_key_order(tmp_path: Path) -> None:
    record = {"data": {"node_name": "reordered", "input_state": {}, "output_state": {}}, "type": "frame"}
    path = tmp_path / "order.vcr"
    path.write_bytes(header() + orjson.dumps(record) + b"\n")
    assert [f.node_name for f in VCRPlayer.load(path)] == ["reordered"]
