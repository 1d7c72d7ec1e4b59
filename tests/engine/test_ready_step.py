"""A frame built ready for the line (``record_ready``) is written exactly as ``record_step`` writes it."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

import orjson

from recorder import VCRReader, VCRRecorder
from recorder.encoding import encode_line
from recorder.fork_totals import ForkTotals
from recorder.models import Frame, FrameMetadata, FrameType
from recorder.writer import ready_metadata


class Colour(enum.Enum):
    RED = "red"


def _frames(path: Path) -> list[dict[str, Any]]:
    records = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    return [record["data"] for record in records if record["type"] == "frame"]


def _without_ids(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for frame in frames:
        frame.pop("frame_id"), frame.pop("timestamp")
    return frames


def test_a_ready_frame_is_the_line_record_step_writes(tmp_path: Path) -> None:
    messages = {"messages": [{"role": "user", "content": "hi"}], "colour": Colour.RED, "tags": {"a"}}
    output = {"response": "ok"}
    with VCRRecorder(tmp_path) as recorder:
        recorder.start_session("s")
        recorder.record_step(
            "llm:m",
            messages,
            output,
            metadata=FrameMetadata(
                model="m", latency_ms=1.5, tokens_input=3, tokens_output=4, tokens_used=7, custom={"k": {"turn": 1}}
            ),
            frame_type=FrameType.LLM_CALL,
        )
        frame_id = recorder.record_ready(
            "llm:m",
            FrameType.LLM_CALL.value,
            messages,
            output,
            ready_metadata(model="m", latency_ms=1.5, tokens_input=3, tokens_output=4, custom={"k": {"turn": 1}}),
        )
        recorder.record_step("n", {"a": 1}, {"b": [1, 2]})
        recorder.record_ready(
            "n",
            FrameType.NODE_EXECUTION.value,
            orjson.Fragment(encode_line({"a": 1}, newline=False)),
            orjson.Fragment(b'{"b":[1,2]}'),
            ready_metadata(),
            searched=True,
        )
        assert recorder.path is not None
        path = recorder.path
    frames = _frames(path)
    assert frames[1]["frame_id"] == frame_id
    plain_llm, ready_llm, plain_node, ready_node = _without_ids(frames)
    assert ready_llm == plain_llm
    assert ready_node == plain_node
    assert ready_llm["input_state"]["colour"] == {"__type__": "Enum", "__class__": "Colour", "data": "red"}
    reader = VCRReader(path)
    assert reader.session is not None and reader.session.frame_count == 4 and reader.session.total_tokens == 14
    assert reader.frame(1).input_state == reader.frame(0).input_state


def test_a_ready_frame_reaches_the_callback_and_the_fork_tally(tmp_path: Path) -> None:
    heard: list[Frame] = []
    with VCRRecorder(tmp_path, on_frame_recorded=heard.append) as recorder:
        recorder.start_session("s")
        recorder.tally = ForkTotals()
        frame_id = recorder.record_ready(
            "tool:x",
            FrameType.TOOL_CALL.value,
            {"q": 1},
            orjson.Fragment(b'{"result":2,"error":null}'),
            ready_metadata(latency_ms=2.0, cost_usd=0.5, custom={"source": "live"}),
        )
        assert recorder.session is not None
        assert recorder.session.total_cost_usd == 0.5
        assert (recorder.tally.frames, recorder.tally.live) == (1, 1)
    (frame,) = heard
    assert (frame.frame_id, frame.index, frame.frame_type) == (frame_id, 0, FrameType.TOOL_CALL)
    assert frame.input_state == {"q": 1}
    assert frame.output_state == {"result": 2, "error": None}
    assert frame.metadata.cost_usd == 0.5
    assert frame.metadata.custom == {"source": "live"}


def test_ready_metadata_sums_the_tokens_it_is_given() -> None:
    assert ready_metadata()["tokens_used"] is None
    assert ready_metadata(tokens_input=2)["tokens_used"] == 2
    assert ready_metadata(tokens_output=5)["tokens_used"] == 5
    assert list(ready_metadata()) == list(FrameMetadata().to_dict())


def test_ready_frames_are_the_lines_record_ready_writes_in_one_write(tmp_path: Path) -> None:
    messages = {"messages": [{"role": "user", "content": "hi"}], "colour": Colour.RED}
    heard: list[Frame] = []
    with VCRRecorder(tmp_path, on_frame_recorded=heard.append) as recorder:
        recorder.start_session("s")
        recorder.tally = ForkTotals()
        recorder.record_ready(
            "llm:m", FrameType.LLM_CALL.value, messages, {"response": "ok"}, ready_metadata(model="m")
        )
        recorder.record_ready(
            "t",
            FrameType.NODE_EXECUTION.value,
            {"a": "b"},
            orjson.Fragment(b'{"raw":"x"}'),
            ready_metadata(),
            searched=True,
        )
        writes: list[bytes] = []
        original = recorder._write_out

        def counted(line: bytes) -> None:
            writes.append(line)
            original(line)

        recorder._write_out = counted  # type: ignore[method-assign]
        recorder.record_ready_frames([])
        assert writes == []  # nothing to write: no empty write either
        recorder.record_ready_frames(
            [
                ("llm:m", FrameType.LLM_CALL.value, messages, {"response": "ok"}, ready_metadata(model="m"), False),
                (
                    "t",
                    FrameType.NODE_EXECUTION.value,
                    {"a": "b"},
                    orjson.Fragment(b'{"raw":"x"}'),
                    ready_metadata(tokens_input=2, cost_usd=0.25),
                    True,
                ),
            ]
        )
        assert len(writes) == 1 and writes[0].count(b"\n") == 2  # both lines, one system call
        assert recorder.session is not None
        assert (recorder.session.frame_count, recorder.session.total_tokens) == (4, 2)
        assert recorder.session.total_cost_usd == 0.25
        assert recorder.tally.frames == 4
        assert recorder.path is not None
        path = recorder.path
    frames = _frames(path)
    one, two, batch_one, batch_two = frames
    assert batch_one["timestamp"] == batch_two["timestamp"]  # written at one moment
    assert len({frame["frame_id"] for frame in frames}) == 4
    _without_ids(frames)
    assert batch_one == one  # the enum member kept as a typed value, as record_ready keeps it
    assert batch_one["input_state"]["colour"] == {"__type__": "Enum", "__class__": "Colour", "data": "red"}
    assert batch_two["output_state"] == two["output_state"] == {"raw": "x"}
    assert [frame.index for frame in heard] == [0, 1, 2, 3]
    assert heard[3].metadata.tokens_used == 2 and heard[2].node_name == "llm:m"


def test_ready_frames_inside_a_block_wait_for_its_end(tmp_path: Path) -> None:
    with VCRRecorder(tmp_path) as recorder:
        recorder.start_session("s")
        assert recorder.path is not None
        before = recorder.path.stat().st_size
        with recorder.lines_together():
            recorder.record_ready_frames([("n", FrameType.NODE_EXECUTION.value, {}, {}, ready_metadata(), True)])
            assert recorder.path.stat().st_size == before
        assert recorder.path.stat().st_size > before
        path = recorder.path
    assert [frame["node_name"] for frame in _frames(path)] == ["n"]
