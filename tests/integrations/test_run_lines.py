"""A framework run's frames: held together, written in order within moments, errors raised at the end."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from recorder import VCRReader, VCRRecorder
from recorder.integrations._run_lines import RunLines


def names(path: Path | None) -> list[str]:
    assert path is not None
    with VCRReader(path) as reader:
        return [reader.frame(index).node_name for index in range(len(reader))]


def test_frames_of_a_run_are_held_until_written_then_reach_the_file_in_order(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session()
    lines = RunLines(recorder)
    lines.open()
    for index in range(5):
        lines.record(recorder.record_step, f"step_{index}", {"i": index}, {"ok": True})
    recorder.record_step("direct", {}, {})  # another caller's frame, meanwhile: held in its place
    assert names(recorder.path) == []
    lines.write()
    assert names(recorder.path) == [*(f"step_{index}" for index in range(5)), "direct"]
    lines.record(recorder.record_step, "last", {}, {})
    lines.close()
    assert names(recorder.path)[-1] == "last"
    recorder.record_step("after", {}, {})  # the run's block is closed: written at once
    assert names(recorder.path)[-1] == "after"
    recorder.close()


def test_a_frame_recorded_outside_an_event_loop_is_written_at_once(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session()
    lines = RunLines(recorder)
    lines.open()
    lines.record(recorder.record_step, "one", {}, {})
    lines.due()
    assert names(recorder.path) == ["one"]
    lines.close()
    recorder.close()


async def test_an_asyncio_run_that_waits_has_its_frames_written_without_recording_more(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session()
    lines = RunLines(recorder)
    lines.open()
    lines.record(recorder.record_step, "before the wait", {}, {})
    lines.due()  # written by the loop while the agent awaits, not at the next frame
    assert names(recorder.path) == []  # held until the agent awaits something
    awaited = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().call_soon(awaited.set_result, None)  # runs after the scheduled write
    await awaited  # the agent awaits (a model, a tool): the loop takes its turn
    assert names(recorder.path) == ["before the wait"]
    lines.close()
    recorder.close()


def test_a_failed_write_is_raised_by_close_and_the_run_records_nothing_more(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session()
    lines = RunLines(recorder)

    def failing() -> None:
        raise OSError(28, "No space left on device")

    lines.record(recorder.record_step, "before", {}, {})
    lines.record(failing)
    lines.record(recorder.record_step, "after", {}, {})
    lines.record(recorder.record_step, "later", {}, {})
    with pytest.raises(OSError, match="No space"):
        lines.close()
    assert names(recorder.path) == ["before"]
    lines.close()  # the error is raised once
    recorder.close()


def test_a_write_that_fails_at_the_os_is_raised_at_the_end_not_in_the_agent(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session()
    lines = RunLines(recorder)
    lines.open()
    lines.record(recorder.record_step, "lost", {}, {})

    def full_disk(line: bytes) -> None:
        raise OSError(28, "No space left on device")

    recorder._write_out = full_disk  # type: ignore[method-assign]
    lines.write()  # does not raise into the agent
    with pytest.raises(OSError, match="No space"):
        lines.close()


def test_frames_queued_for_later_are_built_at_the_write_in_their_order(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session()
    lines = RunLines(recorder)
    lines.open()
    lines.later(recorder.record_step, "first", {}, {})
    lines.record(recorder.record_step, "direct", {}, {})  # built at once: before the queued one
    lines.later(recorder.record_step, "second", {}, {})
    assert recorder.session is not None and recorder.session.frame_count == 1
    lines.write()
    assert names(recorder.path) == ["direct", "first", "second"]
    lines.later(recorder.record_step, "at the end", {}, {})
    lines.close()
    assert names(recorder.path)[-1] == "at the end"
    recorder.close()
