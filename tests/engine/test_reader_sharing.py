"""One index per open recording: readers that share it, and a survey that takes what a visit parsed."""

from __future__ import annotations

import threading
from pathlib import Path

import orjson

from recorder import ProblemKind, VCRReader, VCRRecorder
from vcr_tui.logic.frame_store import FrameStore
from vcr_tui.logic.preview_store import PreviewStore


def recording(tmp_path: Path, frames: int = 50) -> Path:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session(session_id="shared")
    with recorder:
        for number in range(frames):
            recorder.record_step(f"step-{number}", {"n": number}, {"n": number + 1})
    assert recorder.path is not None
    return recorder.path


def test_a_sharing_reader_reads_the_same_frames_without_indexing_again(tmp_path: Path) -> None:
    owner = VCRReader(recording(tmp_path))
    twin = owner.sharing()
    assert twin._index is owner._index and twin is not owner
    assert len(twin) == len(owner) == 50
    assert twin.frame(7).node_name == owner.frame(7).node_name == "step-7"
    assert twin.frame(7) is not owner.frame(7)  # each keeps its own cache: they are not thread-safe

    twin.close()  # the sharer lets go; the owner's index stays open
    assert owner.frame(49).output_state == {"n": 50}
    owner.close()


def test_sharing_readers_read_in_threads_side_by_side(tmp_path: Path) -> None:
    owner = VCRReader(recording(tmp_path, 400))
    names: dict[int, list[str]] = {}

    def read_all(key: int) -> None:
        reader = owner.sharing()
        names[key] = [reader.frame(index).node_name for index in range(len(reader))]

    threads = [threading.Thread(target=read_all, args=(key,)) for key in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = [f"step-{n}" for n in range(400)]
    assert all(found == expected for found in names.values()) and len(names) == 4
    owner.close()


def test_parsed_never_parses_and_problem_on_names_a_mended_line(tmp_path: Path) -> None:
    path = recording(tmp_path, 3)
    lines = path.read_bytes().split(b"\n")
    record = orjson.loads(lines[2])
    record["data"]["frame_type"] = "no-such-type"  # read as a node, and said so
    lines[2] = orjson.dumps(record)
    path.write_bytes(b"\n".join(lines))

    with VCRReader(path) as reader:
        assert reader.parsed(1) is None
        frame = reader.frame(1)
        assert reader.parsed(1) is frame
        problem = reader.problem_on(frame.line)
        assert problem is not None and "frame_type" in problem.reason and problem.kind is ProblemKind.MENDED
        assert reader.problem_on(reader.frame(0).line) is None


def test_the_survey_takes_a_visited_frame_from_the_reader(tmp_path: Path) -> None:
    store = FrameStore.open(recording(tmp_path, 5))
    try:
        raw = store.raw(3)
        assert store.survey(3, raw) == (False, None)  # not visited: the line is parsed here
        store.frame(3)  # a visit parses it
        # the survey now answers from that frame: the bytes it is handed are not parsed at all
        assert store.survey(3, b"not json") == (False, None)
        assert store.survey(2, b"not json")[0] is True  # never visited: parsed, and unreadable
    finally:
        store.close()


def test_a_worker_reader_shares_the_screens_index_only_for_that_file(tmp_path: Path) -> None:
    path = recording(tmp_path, 5)
    store = FrameStore.open(path)
    try:
        shared = store.reader_for_worker(path)
        assert shared is not None and shared._index is store.reader._index
        assert store.reader_for_worker(tmp_path / "another.vcr") is None
        shared.close()
        assert store.frame(4).node_name == "step-4"
    finally:
        store.close()


def test_the_index_store_takes_over_what_the_preview_parsed(tmp_path: Path) -> None:
    path = recording(tmp_path, 6)
    preview = PreviewStore.read(path)
    seen_rows = [preview.row(index) for index in range(3)]
    seen = preview.try_frame(1)
    store = FrameStore.open(path)
    try:
        store.adopt(preview)
        assert [store.row(index) for index in range(3)] == seen_rows
        assert store.row(0) is seen_rows[0]  # taken over, not parsed again
        assert store.frame(1) is seen  # the reader has it: the line is not parsed a second time
        assert store.frame(4).node_name == "step-4"  # the rest is read as usual
    finally:
        store.close()


def test_a_line_that_changed_or_was_mended_is_parsed_again(tmp_path: Path) -> None:
    path = recording(tmp_path, 3)
    lines = path.read_bytes().split(b"\n")
    record = orjson.loads(lines[2])
    record["data"]["frame_type"] = "no-such-type"  # mended when read: its problem must be kept
    lines[2] = orjson.dumps(record)
    path.write_bytes(b"\n".join(lines))
    preview = PreviewStore.read(path)
    mended, plain = preview.try_frame(1), preview.try_frame(0)
    first_row = preview.row(0)

    rewritten = b"\n".join(lines).replace(b'"step-0"', b'"STEP-0"')  # the file changed under the preview
    path.write_bytes(rewritten)
    store = FrameStore.open(path)
    try:
        store.adopt(preview)
        assert store.row(0) is not first_row and store.row(0).node_name == "STEP-0"
        assert store.frame(0) is not plain
        frame = store.frame(1)
        assert frame is not mended
        assert any(problem.kind is ProblemKind.MENDED for problem in store.problems)
    finally:
        store.close()
