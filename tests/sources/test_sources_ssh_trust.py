"""Over SSH, a replaced remote file is never spliced onto the old one, and an unterminated last
line is shown as the local reader shows it (a real OpenSSH server on 127.0.0.1, see sshd.py)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import orjson

from recorder import Problem, ProblemKind, VCRReader, VCRRecorder
from tests.sources.test_sources_ssh import feeder, options
from tests.support.source_support import drain_until
from tests.support.sshd import SSHServer, sshd_server_fixture  # noqa: F401  (the fixture)
from vcr_tui.sources import SourceState, open_source


def padded_recording(folder: Path, session_id: str, count: int) -> Path:
    """Frames that do not name their session in the state: only the header tells two runs apart."""
    recorder = VCRRecorder(folder)
    recorder.start_session(session_id=session_id)
    for seq in range(count):
        recorder.record_step(f"step-{seq}", {"seq": seq}, {"seq": seq, "pad": "p" * 900})
    assert recorder.path is not None
    return recorder.path


def test_a_replaced_file_whose_tail_matches_is_not_spliced(sshd_server: SSHServer, tmp_path: Path) -> None:
    """The replacement holds the very same bytes before the resume point except its header.

    Only the header says it is another run; comparing the bytes just before the resume point
    would splice its new frames onto the old header.
    """
    path = padded_recording(tmp_path, "first-run", 12)
    original = path.read_bytes()
    header, rest = original.split(b"\n", 1)
    other = orjson.loads(header)
    other["data"]["session_id"] = "other-run"  # same length: every later offset is unchanged
    replaced_header = orjson.dumps(other)
    assert len(replaced_header) == len(header)
    slow = options(sshd_server.config, backoff=(1.0,))
    with open_source(sshd_server.url(path), ssh_options=slow) as source:
        source.start()
        drain_until(source, lambda: len(source.reader) == 12 and source.status.state is SourceState.LIVE)
        pid = feeder(source).pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        more = padded_recording(tmp_path / "more", "more", 3).read_bytes().split(b"\n", 1)[1]
        replacement = tmp_path / "replacement.vcr"
        replacement.write_bytes(replaced_header + b"\n" + rest + more)
        os.replace(replacement, path)
        updates = drain_until(source, lambda: source.reader.session.session_id == "other-run")
        assert any(update.reset for update in updates)
        with source.reader.locked() as reader:
            assert reader.sessions[0].session_id == "other-run"


def test_a_last_line_without_newline_is_shown_while_following(sshd_server: SSHServer, tmp_path: Path) -> None:
    path = padded_recording(tmp_path, "unterminated", 3)
    with path.open("ab") as handle:
        handle.write(b'{"type":"frame","data":{"node_name":"last, without newline"}}')
    with open_source(sshd_server.url(path), ssh_options=options(sshd_server.config)) as source:
        source.start()
        drain_until(source, lambda: len(source.reader) == 4)
        with source.reader.locked() as reader:
            assert reader.frame(3).node_name == "last, without newline"
            assert not any("incomplete" in problem.reason for problem in reader.problems_so_far)
        with path.open("ab") as handle:  # the writer finishes the line and goes on
            handle.write(b'\n{"type":"frame","data":{"node_name":"after it"}}\n')
        drain_until(source, lambda: len(source.reader) == 5)
        with source.reader.locked() as reader:
            assert [reader.frame(i).node_name for i in (3, 4)] == ["last, without newline", "after it"]


def _as_listed(problems: list[Problem]) -> list[tuple[int, ProblemKind, str]]:
    return [(problem.line, problem.kind, problem.reason) for problem in problems]


def test_a_cut_off_last_line_is_listed_as_the_local_reader_lists_it(sshd_server: SSHServer, tmp_path: Path) -> None:
    """A spool holds only whole lines, so the unfinished one is held by the feeder: still listed."""
    path = padded_recording(tmp_path, "cut-off", 3)
    with path.open("ab") as handle:
        handle.write(b'{"type":"frame","data":{"node_na')
    with VCRReader(path) as local:
        expected = _as_listed(local.problems_so_far)
    assert expected and expected[-1][1] is ProblemKind.INCOMPLETE
    with open_source(sshd_server.url(path), ssh_options=options(sshd_server.config)) as source:
        source.start()
        drain_until(
            source,
            lambda: (
                len(source.reader) == 3
                and any(problem.kind is ProblemKind.INCOMPLETE for problem in source.reader.problems_so_far)
            ),
        )
        assert _as_listed(source.reader.problems_so_far) == expected
        with path.open("ab") as handle:  # the writer finishes the line: the problem goes away
            handle.write(b'me":"finished"}}\n')
        drain_until(source, lambda: len(source.reader) == 4)
        assert not any(problem.kind is ProblemKind.INCOMPLETE for problem in source.reader.problems_so_far)
        assert source.reader.frame(3).node_name == "finished"
