"""Frames no writer should make but a file can hold: odd patch paths, very deep states, CR-only
lines. Each loads as a readable frame or a problem entry; nothing raises, and the app never
leaves a frame at "Loading frame…"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from recorder import VCRPlayer
from recorder.encoding import MAX_DEPTH
from tests.support.app_support import file_screen, press, settle
from tests.support.vcr_lines import frame, header
from vcr_tui.app import VCRApp


def diff_frame(i: int, ops: list[dict[str, Any]], output: dict[str, Any] | None = None) -> bytes:
    return frame(f"d{i}", i, input_state={}, output_state=output or {}, state_diff=ops)


def nested(depth: int) -> orjson.Fragment:
    """``{"down": {"down": ... "bottom"}}``, ``depth`` levels, as JSON text (orjson stops at 255)."""
    return orjson.Fragment(('{"down":' * depth + '"bottom"' + "}" * depth).encode())


def depth_of(value: Any) -> int:
    level = 0
    while isinstance(value, dict) and "down" in value:
        value, level = value["down"], level + 1
    return level


def exercise(player: VCRPlayer) -> None:
    """Every read the API offers, on every frame and every pair of neighbours."""
    for index in range(len(player)):
        player.get_frame(index)
        player.goto_frame(index)
        player.step_changes(index)
        if index:
            player.compare_frames(index - 1, index)
    assert isinstance(player.problems, list)


ODD_PATHS = ["/items/\u0663", "/items/\u00b2", "/items/" + "9" * 5000, "/items/-1", "/items/01x", "/items/"]


@pytest.mark.parametrize("path", ODD_PATHS)
def test_an_odd_list_index_in_a_patch_path_is_skipped(tmp_path: Path, path: str) -> None:
    lines = [
        header(),
        frame("base", 0, output_state={"items": ["a", "b", "c", "d"]}, state_diff=[]),
        diff_frame(1, [{"op": "replace", "path": path, "value": "X"}]),
        diff_frame(2, [{"op": "remove", "path": path}]),
        diff_frame(3, [{"op": "add", "path": path, "value": "Y"}, {"op": "add", "path": "/ok", "value": 1}]),
    ]
    (tmp_path / "odd.vcr").write_bytes(b"".join(lines))
    player = VCRPlayer.load(tmp_path / "odd.vcr")
    exercise(player)
    assert player.get_frame(1).output_state == {"items": ["a", "b", "c", "d"]}
    assert player.get_frame(3).output_state == {"items": ["a", "b", "c", "d"], "ok": 1}


def test_an_ascii_index_still_patches_the_list(tmp_path: Path) -> None:
    lines = [
        header(),
        frame("base", 0, output_state={"items": ["a", "b"]}, state_diff=[]),
        diff_frame(
            1, [{"op": "replace", "path": "/items/1", "value": "B"}, {"op": "add", "path": "/items/2", "value": "c"}]
        ),
    ]
    (tmp_path / "ok.vcr").write_bytes(b"".join(lines))
    assert VCRPlayer.load(tmp_path / "ok.vcr").get_frame(1).output_state == {"items": ["a", "B", "c"]}


@pytest.mark.parametrize("depth", [500, 1000])
def test_a_very_deep_state_reads_as_a_frame_with_a_problem(tmp_path: Path, depth: int) -> None:
    deep = nested(depth)
    lines = [
        header(),
        frame("deep-in", 0, input_state={"tree": deep}, output_state={"tree": deep, "x": 1}),
        frame("shallow", 1),
        diff_frame(2, [{"op": "add", "path": "/tree", "value": deep}]),
    ]
    path = tmp_path / "deep.vcr"
    path.write_bytes(b"".join(lines))
    player = VCRPlayer.load(path)
    exercise(player)
    first = player.get_frame(0)
    assert first.node_name == "deep-in" and first.output_state["x"] == 1
    kept = depth_of(first.output_state["tree"])
    assert MAX_DEPTH - 5 <= kept <= MAX_DEPTH
    bottom: Any = first.output_state["tree"]
    for _ in range(kept):
        bottom = bottom["down"]
    assert isinstance(bottom, str)  # the levels below, as their JSON text
    assert bottom.count('{"down":') == depth - kept and bottom.endswith('"bottom"' + "}" * (depth - kept))
    assert any("levels deep" in problem.reason and problem.line == 2 for problem in player.problems)
    assert depth_of(player.get_frame(2).output_state["tree"]) <= MAX_DEPTH
    # a fork copies the deep frame as it is in the file
    fork = player.fork(1, output_dir=tmp_path / "forks")
    fork.close()
    assert fork.path is not None
    copied = [line for line in fork.path.read_bytes().splitlines() if b"deep-in" in line]
    assert depth_of(orjson.loads(copied[0])["data"]["output_state"]["tree"]) == depth


def test_a_state_deeper_than_any_parser_follows_is_a_problem(tmp_path: Path) -> None:
    text = '{"type":"frame","data":{"node_name":"abyss","output_state":' + '{"d":' * 5000 + "1" + "}" * 5002 + "\n"
    path = tmp_path / "abyss.vcr"
    path.write_bytes(header() + text.encode() + frame("after", 1))
    player = VCRPlayer.load(path)
    exercise(player)
    assert player.get_frame(1).node_name == "after"
    assert player.get_frame(0).node_name.startswith("<unreadable")
    assert any(problem.line == 2 for problem in player.problems)


def test_a_file_whose_lines_end_in_a_bare_cr_loads(tmp_path: Path) -> None:
    path = tmp_path / "mac.vcr"
    path.write_bytes(b"".join(line.replace(b"\n", b"\r") for line in (header(), frame("a", 0), frame("b", 1))))
    player = VCRPlayer.load(path)
    assert [f.node_name for f in player] == ["a", "b"]
    assert player.session.session_id == "s1"
    assert player.problems == []


async def test_the_app_shows_every_odd_frame(tmp_path: Path) -> None:
    deep = nested(900)
    lines = [
        header(),
        frame("base", 0, output_state={"items": ["a"]}, state_diff=[]),
        diff_frame(1, [{"op": "replace", "path": "/items/" + "9" * 5000, "value": "X"}]),
        diff_frame(2, [{"op": "add", "path": "/items/\u00b2", "value": "Y"}]),
        frame("deep", 3, input_state={"tree": deep}, output_state={"tree": deep, "y": 2}),
        frame("last", 4),
    ]
    path = tmp_path / "odd.vcr"
    path.write_bytes(b"".join(lines))
    app = VCRApp(path)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        for index in range(len(lines) - 1):
            await pilot.press(":")
            await pilot.press(*str(index), "enter")
            await settle(pilot)
            assert screen.state_tree.shown_index == index, index
            for key in ("d", "d", "d", "i"):
                await press(pilot, key)
                assert screen.state_tree.shown_index == index, (index, key)
