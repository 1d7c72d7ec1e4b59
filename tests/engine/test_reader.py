"""The lazy reader: on-demand parsing, growing files, truncation and replacement, diff mode."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from recorder import RecordingNotFoundError, RecordingUnreadableError, VCRPlayer, VCRReader, VCRRecorder
from recorder.models import FrameType
from tests.support.vcr_lines import frame, header


def write(path: Path, *lines: bytes) -> Path:
    path.write_bytes(b"".join(lines))
    return path


def append(path: Path, data: bytes) -> None:
    with open(path, "ab") as handle:
        handle.write(data)


def test_frames_are_parsed_only_when_asked_for(tmp_path: Path) -> None:
    path = write(tmp_path / "a.vcr", header(), *(frame(f"n{i}", i) for i in range(1000)))
    reader = VCRReader(path)
    assert len(reader) == 1000
    assert len(reader._cache) == 0
    assert reader.frame(500).node_name == "n500"
    assert reader.frame(-1).node_name == "n999"
    assert len(reader._cache) == 2
    assert reader.line_number(0) == 2 and reader.raw(0) == frame("n0", 0).rstrip(b"\n")
    with pytest.raises(IndexError, match="has 1000 frames"):
        reader.frame(1000)


def test_a_partial_last_line_is_not_a_frame_until_complete(tmp_path: Path) -> None:
    whole = frame("second", 1)
    path = write(tmp_path / "a.vcr", header(), frame("first", 0), whole[:40])
    reader = VCRReader(path)
    assert len(reader) == 1
    assert "incomplete" in reader.problems[-1].reason and reader.problems[-1].line == 3
    append(path, whole[40:])
    assert reader.update().new_frames == 1
    assert reader.frame(1).node_name == "second"
    assert reader.problems == []


def test_appended_frames_are_picked_up_incrementally(tmp_path: Path) -> None:
    rec = VCRRecorder(tmp_path)
    rec.start_session()
    rec.record_step("a", {}, {})
    assert rec.path is not None
    player = VCRPlayer.load(rec.path)
    assert len(player) == 1
    for i in range(5):
        rec.record_step(f"b{i}", {}, {})
    update = player.update()
    assert (update.new_frames, update.reset) == (5, False)
    assert [f.node_name for f in player] == ["a", "b0", "b1", "b2", "b3", "b4"]
    assert player.update().new_frames == 0


def test_truncation_is_detected_and_reindexed(tmp_path: Path) -> None:
    path = write(tmp_path / "a.vcr", header(), *(frame(f"old{i}", i) for i in range(10)))
    reader = VCRReader(path)
    assert reader.frame(9).node_name == "old9"
    write(path, header(), frame("new0", 0))
    update = reader.update()
    assert update.reset and len(reader) == 1
    assert reader.frame(0).node_name == "new0"


def test_replacement_by_rename_is_detected(tmp_path: Path) -> None:
    path = write(tmp_path / "a.vcr", header(), frame("old", 0))
    reader = VCRReader(path)
    assert reader.frame(0).node_name == "old"
    replacement = write(tmp_path / "b.vcr", header(), frame("new", 0), frame("newer", 1))
    os.replace(replacement, path)
    assert reader.update().reset
    assert [reader.frame(i).node_name for i in range(len(reader))] == ["new", "newer"]


def test_an_in_place_rewrite_of_the_same_size_is_detected(tmp_path: Path) -> None:
    path = write(tmp_path / "a.vcr", header(), frame("aaaa", 0))
    reader = VCRReader(path)
    with open(path, "r+b") as handle:  # rewrite in place, as a tool that saves by rewriting does
        handle.write(header() + frame("bbbb", 0) + frame("cccc", 1))
    update = reader.update()
    assert update.reset
    assert [reader.frame(i).node_name for i in range(len(reader))] == ["bbbb", "cccc"]


def test_diff_mode_frames_are_rebuilt_into_full_states(tmp_path: Path) -> None:
    ops1 = [{"op": "add", "path": "/b", "value": 2}, {"op": "replace", "path": "/a", "value": 10}]
    ops2 = [{"op": "remove", "path": "/a"}, {"op": "add", "path": "/nested/x", "value": 1}]
    path = write(
        tmp_path / "diff.vcr",
        header(),
        frame("n0", 0, input_state={"start": True}, output_state={"a": 1, "nested": {}}),
        frame("n1", 1, input_state={}, output_state={}, state_diff=ops1),
        frame("n2", 2, input_state={}, output_state={}, state_diff=ops2),
    )
    reader = VCRReader(path)
    last = reader.frame(2)  # cold cache: rebuild walks back to frame 0
    assert last.input_state == {"a": 10, "nested": {}, "b": 2}
    assert last.output_state == {"nested": {"x": 1}, "b": 2}
    assert reader.frame(1).input_state == {"a": 1, "nested": {}}
    assert reader.frame(0).output_state == {"a": 1, "nested": {}}  # the base is never mutated


def test_peer_style_diff_mode_keeps_full_outputs(tmp_path: Path) -> None:
    path = write(
        tmp_path / "diff.vcr",
        header(),
        frame("n0", 0, input_state={"q": 1}, output_state={"q": 2}),
        frame("n1", 1, input_state={}, output_state={"q": 3}, state_diff=[{"op": "replace", "path": "/q", "value": 3}]),
    )
    second = VCRReader(path).frame(1)
    assert (second.input_state, second.output_state) == ({"q": 2}, {"q": 3})


def test_headers_last_one_wins_and_missing_is_survivable(tmp_path: Path) -> None:
    path = write(tmp_path / "h.vcr", header(frame_count=0), frame(), header(frame_count=1, total_tokens=7))
    reader = VCRReader(path)
    assert (reader.session.frame_count, reader.session.total_tokens, len(reader.sessions)) == (1, 7, 2)
    bare = write(tmp_path / "bare-run.vcr", frame("only", 0))
    reader = VCRReader(bare)
    assert reader.session.session_id == "bare-run" and len(reader) == 1
    assert any("no session header" in p.reason for p in reader.problems)


def test_missing_and_unreadable_paths_raise_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(RecordingNotFoundError, match="no such recording"):
        VCRPlayer.load(tmp_path / "nope.vcr")
    with pytest.raises(RecordingUnreadableError, match="is a folder"):
        VCRPlayer.load(tmp_path)
    locked = write(tmp_path / "locked.vcr", header())
    locked.chmod(0)
    if os.geteuid() != 0:  # root reads anything
        with pytest.raises(RecordingUnreadableError, match="no permission"):
            VCRPlayer.load(locked)


def test_player_api(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.vcr",
        header(),
        frame("plan", 0, output_state={"when": {"__type__": "datetime", "data": "2024-01-02T03:04:05+00:00"}, "n": 1}),
        frame("tool:x", 1, frame_type="tool", metadata={"error_type": "ToolError", "error_message": "no"}),
        frame("boom", 2, frame_type="error", output_state={"error": "bad"}),
        frame("plan", 3, output_state={"n": 2, "extra": [1]}),
    )
    player = VCRPlayer.load(path)
    state = player.goto_frame(0)
    assert state["when"].year == 2024 and player.current_index == 0
    assert player.export_state(0)["when"] == {"__type__": "datetime", "data": "2024-01-02T03:04:05+00:00"}
    assert player.list_nodes() == ["plan", "tool:x", "boom"]
    assert [f.node_name for f in player.get_errors()] == ["tool:x", "boom"]
    assert player.get_frame(2).frame_type is FrameType.ERROR
    changes = player.compare_frames(0, 3)
    assert [(c.path_text, c.kind) for c in changes] == [("$.extra", "added"), ("$.n", "changed"), ("$.when", "removed")]
    assert changes[1].old == 1 and changes[1].new == 2
    assert [(c.path_text, c.old, c.new) for c in player.step_changes(1)] == [("$.i", 1, 2)]


def test_diffs_tell_booleans_from_numbers() -> None:
    from recorder import diff_states

    assert [(c.path_text, c.old, c.new) for c in diff_states({"a": 0}, {"a": False})] == [("$.a", 0, False)]
    assert diff_states({"a": [1, {"b": 2}]}, {"a": [1, {"b": 2}]}) == []
