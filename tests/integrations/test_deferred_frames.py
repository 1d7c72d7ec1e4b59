"""A run's frames handed to its writer thread: written in order, all of them by ``close``, errors raised."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from recorder import VCRReader, VCRRecorder
from recorder.integrations._deferred import DeferredFrames, current_frames, drain_current


def names(path: Path | None) -> list[str]:
    assert path is not None
    with VCRReader(path) as reader:
        return [reader.frame(index).node_name for index in range(len(reader))]


def test_queued_frames_are_written_in_order_by_the_writer_thread(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session()
    writers: set[str] = set()

    def record(index: int) -> None:
        writers.add(threading.current_thread().name)
        recorder.record_step(f"step_{index}", {"i": index}, {"ok": True})

    frames = DeferredFrames(recorder)
    for index in range(200):
        frames.put(record, index)
    frames.close()
    assert names(recorder.path) == [f"step_{index}" for index in range(200)]
    assert writers == {"vcr-frames"}  # not the thread that queued them
    recorder.close()


def test_drain_lets_a_frame_recorded_directly_follow_the_queued_ones(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session()
    frames = DeferredFrames(recorder)
    token = current_frames.set(frames)
    try:
        frames.put(recorder.record_step, "queued", {}, {})
        drain_current()
        recorder.record_step("direct", {}, {})
        frames.put(recorder.record_step, "queued_after", {}, {})
    finally:
        current_frames.reset(token)
    frames.close()
    assert names(recorder.path) == ["queued", "direct", "queued_after"]
    recorder.close()


def test_a_failed_write_is_raised_by_close_and_the_frames_after_it_are_not_written(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session()
    frames = DeferredFrames(recorder)

    def failing() -> None:
        raise OSError(28, "No space left on device")

    frames.put(recorder.record_step, "before", {}, {})
    frames.put(failing)
    frames.put(recorder.record_step, "after", {}, {})
    with pytest.raises(OSError, match="No space left"):
        frames.close()
    assert names(recorder.path) == ["before"]
    recorder.close()


def test_closing_a_run_that_queued_nothing_starts_no_thread(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session()
    before = threading.active_count()
    frames = DeferredFrames(recorder)
    frames.drain()
    frames.close()
    assert threading.active_count() == before
    recorder.close()
