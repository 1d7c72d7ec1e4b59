"""The recording's vocabulary has one owner: problem kinds, frame sources, the line classifier."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from recorder import FrameSource, Problem, ProblemKind, VCRPlayer, fork_recording, vocabulary
from recorder.index import LineIndex, classify_line
from tests.engine.test_bad_input import CORPUS
from tests.support.vcr_lines import frame, header
from vcr_tui.logic.preview_store import PreviewStore

# corpus entry -> the kinds its problems carry, in line order
KINDS: dict[str, list[ProblemKind]] = {
    "empty file": [ProblemKind.NO_HEADER],
    "truncated last line": [ProblemKind.INCOMPLETE],
    "garbage between frames": [ProblemKind.UNREADABLE],
    "unknown record type": [ProblemKind.IGNORED],
    "frame data not an object": [ProblemKind.UNREADABLE],
    "unknown frame type": [ProblemKind.MENDED],
    "invalid utf-8": [ProblemKind.MENDED],
    "bom on a headerless file": [ProblemKind.NO_HEADER, ProblemKind.MENDED],
    "header with data not an object": [ProblemKind.NO_HEADER, ProblemKind.UNREADABLE],
}


@pytest.mark.parametrize("name", list(KINDS))
def test_every_problem_says_its_kind(tmp_path: Path, name: str) -> None:
    path = tmp_path / "bad.vcr"
    path.write_bytes(CORPUS[name][0])
    assert [problem.kind for problem in VCRPlayer.load(path).problems] == KINDS[name]


def test_a_problem_is_still_the_plain_pair() -> None:
    problem = Problem(3, "record type 'x' ignored", ProblemKind.IGNORED)
    line, reason = problem
    assert (line, reason) == (3, "record type 'x' ignored") == problem
    assert problem.line == 3 and problem.reason == reason
    copy = pickle.loads(pickle.dumps(problem))
    assert copy == problem and copy.kind is ProblemKind.IGNORED
    assert Problem(1, "no data").kind is ProblemKind.UNREADABLE  # what an older caller gets


@pytest.mark.parametrize("name", list(CORPUS))
def test_the_preview_files_lines_as_the_index_does(tmp_path: Path, name: str) -> None:
    path = tmp_path / "bad.vcr"
    path.write_bytes(CORPUS[name][0] + b"\n")  # the preview reads complete lines only
    index = LineIndex(path)
    index.update()
    try:
        preview = PreviewStore.read(path)
        assert [preview.raw(i) for i in range(len(preview))] == [
            index.read_line(i).rstrip(b"\r") for i in range(len(index))
        ]
        if index.sessions:
            assert preview.session.session_id == index.sessions[-1][1].session_id
    finally:
        index.close()


def test_the_classifier_names_the_record() -> None:
    assert classify_line(frame("a").rstrip(b"\n")).kind == "frame"
    filed = classify_line(header("h1").rstrip(b"\n"))
    assert filed.kind == "session" and filed.data is not None and filed.data["session_id"] == "h1"
    assert classify_line(b'{"type": "note", "data": {}}').problem is ProblemKind.IGNORED
    assert classify_line(b"   ").kind is None and classify_line(b"   ").reason == ""


def test_a_fork_marks_its_frames_with_the_named_sources(tmp_path: Path) -> None:
    path = tmp_path / "run.vcr"
    path.write_bytes(header() + frame("a") + frame("b", 1, metadata={"tokens_used": 7, "custom": {}}) + frame("c", 2))
    recorder = fork_recording(path, 2, state={"i": 99})
    recorder.close()
    fork = VCRPlayer.load(recorder.path)
    assert [FrameSource.parse(f.source) for f in fork] == [FrameSource.REPLAYED, FrameSource.REPLAYED, FrameSource.FORK]
    replayed = fork.get_frame(1).metadata.custom
    assert replayed[vocabulary.RECORDED_TOKENS] == 7
    assert replayed[vocabulary.COPIED_FROM_SESSION] == "s1"
    assert fork.get_frame(2).metadata.custom[vocabulary.EDITED_SIDE] == "input"
    assert fork.session.metadata[vocabulary.FORKED_FROM] == "s1"
    assert FrameSource.parse("teleported") is None and FrameSource.parse(3) is None
