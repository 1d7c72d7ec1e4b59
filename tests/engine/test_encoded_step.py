"""A step whose states arrive already encoded is written exactly as ``record_step`` writes it."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

import orjson
import pytest

from recorder import VCRReader, VCRRecorder
from recorder.encoding import encode_line
from recorder.models import FrameMetadata


class Colour(enum.Enum):
    RED = "red"


def _frame_lines(path: Path) -> list[dict[str, Any]]:
    records = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    return [record["data"] for record in records if record["type"] == "frame"]


def test_encoded_input_gives_the_same_record_as_a_plain_one(tmp_path: Path) -> None:
    state = {"task": "fix", "tags": {"b", "a"}, "colour": Colour.RED, "nested": {"n": [1, 2.5, None]}}
    output = {"done": True}
    with VCRRecorder(tmp_path) as recorder:
        recorder.start_session("s")
        recorder.record_step("plan", state, output, metadata={"model": "m", "custom": {"k": 1}})
        frame_id = recorder.record_encoded_step(
            "plan", encode_line(state), output, metadata=FrameMetadata(model="m", custom={"k": 1})
        )
        both_id = recorder.record_encoded_step(
            "plan", encode_line(state), encode_line(output), metadata=FrameMetadata(model="m", custom={"k": 1})
        )
        assert recorder.path is not None
        path = recorder.path
    plain, encoded, both = _frame_lines(path)
    assert (encoded["frame_id"], both["frame_id"]) == (frame_id, both_id)
    for varying in ("frame_id", "timestamp"):
        plain.pop(varying), encoded.pop(varying), both.pop(varying)
    assert encoded == plain
    assert both == plain
    assert encoded["input_state"]["colour"] == {"__type__": "Enum", "__class__": "Colour", "data": "red"}
    assert b"\n" not in path.read_bytes().splitlines()[-2]


def test_encoded_input_survives_the_converting_path_and_counts(tmp_path: Path) -> None:
    # An enum in the output sends the whole record through the converting path; the
    # already-encoded input must come out as the same JSON, not as a description of an object.
    with VCRRecorder(tmp_path) as recorder:
        recorder.start_session("s")
        recorder.record_encoded_step("act", encode_line({"a": [1, {"b": "c"}]}), {"colour": Colour.RED})
        recorder.record_encoded_step(
            "act", encode_line({"big": 1 << 70}), {"big": 1 << 70}, metadata={"tokens_used": 7}
        )
        assert recorder.path is not None
        path = recorder.path
    first, second = _frame_lines(path)
    assert first["input_state"] == {"a": [1, {"b": "c"}]}
    assert first["output_state"] == {"colour": {"__type__": "Enum", "__class__": "Colour", "data": "red"}}
    assert second["input_state"] == second["output_state"] == {"big": str(1 << 70)}
    reader = VCRReader(path)
    assert reader.session is not None and reader.session.frame_count == 2 and reader.session.total_tokens == 7
    assert [reader.frame(i).input_state for i in range(2)] == [{"a": [1, {"b": "c"}]}, {"big": str(1 << 70)}]


def test_an_output_the_caller_searched_is_not_searched_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The integration searches a node's update itself; the writer must take its word (and only
    # search the parts it was not told about), for the bytes form as for the dict form.
    import recorder.writer as writer

    searched: list[int] = []
    real = writer.encode_line

    def spy(record: dict[str, Any], **kwargs: Any) -> bytes:
        parts = kwargs.get("caller_parts")
        searched.append(-1 if parts is None else len(parts))
        return real(record, **kwargs)

    monkeypatch.setattr(writer, "encode_line", spy)
    with VCRRecorder(tmp_path) as recorder:
        recorder.start_session("s")
        searched.clear()
        recorder.record_encoded_step("a", encode_line({"x": 1}), encode_line({"y": 2}))
        recorder.record_encoded_step("b", encode_line({"x": 1}), {"y": 2}, output_checked=True)
        recorder.record_encoded_step("c", encode_line({"x": 1}), {"y": 2})
        assert searched == [0, 0, 1]  # caller parts searched per line: bytes, checked dict, unchecked dict
        assert recorder.path is not None
        path = recorder.path
    assert [frame["output_state"] for frame in _frame_lines(path)] == [{"y": 2}] * 3
