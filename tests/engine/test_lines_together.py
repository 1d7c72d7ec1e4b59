"""Frames recorded inside ``lines_together`` reach the file together, when the block ends."""

from __future__ import annotations

from pathlib import Path

from recorder import VCRReader, VCRRecorder


def frames_on_disk(path: Path) -> list[str]:
    with VCRReader(path) as reader:
        return [reader.frame(index).node_name for index in range(len(reader))]


def test_frames_in_a_block_are_written_once_it_ends_in_order(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session(session_id="together")
    recorder.record_step("before", {}, {"n": 0})
    assert recorder.path is not None
    with recorder.lines_together():
        recorder.record_step("one", {}, {"n": 1})
        with recorder.lines_together():  # nested: only the outer block writes
            recorder.record_step("two", {}, {"n": 2})
        assert frames_on_disk(recorder.path) == ["before"]
        recorder.record_step("three", {}, {"n": 3})
    assert frames_on_disk(recorder.path) == ["before", "one", "two", "three"]
    recorder.record_step("after", {}, {"n": 4})
    assert frames_on_disk(recorder.path) == ["before", "one", "two", "three", "after"]
    recorder.close()


def test_saving_inside_a_block_writes_what_it_holds(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session(session_id="saved")
    assert recorder.path is not None
    with recorder.lines_together():
        recorder.record_step("one", {}, {"n": 1})
        recorder.save()
        assert frames_on_disk(recorder.path) == ["one"]
        recorder.record_step("two", {}, {"n": 2})
        recorder.close()  # closing inside the block loses nothing
    assert frames_on_disk(recorder.path) == ["one", "two"]


def test_an_exception_in_the_block_still_writes_its_frames(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session(session_id="raised")
    assert recorder.path is not None
    try:
        with recorder.lines_together():
            recorder.record_step("one", {}, {"n": 1})
            raise RuntimeError("the agent failed")
    except RuntimeError:
        pass
    assert frames_on_disk(recorder.path) == ["one"]
    recorder.close()


def test_write_held_hands_over_what_the_block_holds_and_the_block_goes_on_holding(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session(session_id="held")
    assert recorder.path is not None
    with recorder.lines_together():
        recorder.record_step("one", {}, {"n": 1})
        recorder.record_step("two", {}, {"n": 2})
        recorder.write_held()
        assert frames_on_disk(recorder.path) == ["one", "two"]
        recorder.record_step("three", {}, {"n": 3})
        assert frames_on_disk(recorder.path) == ["one", "two"]
        recorder.write_held()
        recorder.write_held()  # nothing held: nothing written
        assert frames_on_disk(recorder.path) == ["one", "two", "three"]
    recorder.write_held()  # outside a block: nothing to do
    assert frames_on_disk(recorder.path) == ["one", "two", "three"]
    recorder.close()
