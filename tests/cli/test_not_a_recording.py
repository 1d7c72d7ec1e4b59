"""A file that is not a recording is refused in one line; a recording with bad lines still opens."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.cli_support import assert_one_line_failure, run_cli
from tests.support.vcr_lines import frame, header
from vcr_tui.cli import resolve_target
from vcr_tui.logic.recording_head import HEAD_BYTES, holds_records

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_is_refused_with_exit_2(tmp_path: Path) -> None:
    result = run_cli(str(README), cwd=tmp_path)
    assert_one_line_failure(result, "README.md", "is not a .vcr recording")


def test_a_program_is_refused_with_exit_2(tmp_path: Path) -> None:
    program = shutil.which("ls")
    assert program is not None
    result = run_cli(program, cwd=tmp_path)
    assert_one_line_failure(result, "is not a .vcr recording")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty: the writer has not started"),
        pytest.param(b"\n\n", id="only blank lines"),
        pytest.param(b"garbage\n" + header() + frame("a"), id="a bad first line"),
        pytest.param(header() + b"not json\n" * 500, id="a header and bad lines"),
        pytest.param(frame("a"), id="frames without a header"),
        pytest.param(b'{"type": "annotation", "data": {}}\n', id="a record of a kind not known yet"),
        pytest.param(header(metadata={"blob": "x" * (HEAD_BYTES * 2)}), id="a header longer than the head"),
    ],
)
def test_recordings_with_problems_still_open(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "run.vcr"
    path.write_bytes(content)
    assert holds_records(path)
    assert resolve_target(path) == path


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"# A title\n\nSome prose.\n", id="markdown"),
        pytest.param(b'{"name": "x"}\n[1, 2]\n', id="json that is not a record"),
        pytest.param(b"\x7fELF" + bytes(range(256)) * 2000, id="binary longer than the head"),
    ],
)
def test_files_without_records_are_not_recordings(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "thing.vcr"
    path.write_bytes(content)
    assert not holds_records(path)
    with pytest.raises(SystemExit) as exited:
        resolve_target(path)
    assert exited.value.code == 2
