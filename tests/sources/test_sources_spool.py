"""A recording streamed through a pipe (``vcr-tui -``), spooled to a private file and followed."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from recorder import ProblemKind
from tests.support.source_support import drain_until
from vcr_tui.sources import Source, SourceError, SourceState, StandardInput
from vcr_tui.sources.follow import FileFollower
from vcr_tui.sources.spool import LineSplitter, Spool
from vcr_tui.sources.updates import SourceStatus, UpdateBox

# Writes a header and frames to stdout in chunks that cut lines anywhere, pausing between them.
STREAMER = """
import os, random, sys, time
from recorder.encoding import encode_line
from recorder.models import Frame, Session
count = int(sys.argv[1])
data = encode_line(Session(session_id="piped").to_record())
for seq in range(count):
    frame = Frame(frame_id=f"f{seq}", session_id="piped", node_name=f"step-{seq}", input_state={"seq": seq},
                  output_state={"seq": seq, "pad": "y" * (seq * 53 % 700)})
    data += encode_line(frame.to_record())
chooser = random.Random(7)
position = 0
while position < len(data):
    size = chooser.choice([1, 7, 100, 1000, 5000])
    os.write(1, data[position:position + size])
    position += size
    if chooser.random() < 0.05:
        time.sleep(0.01)
"""


def test_a_recording_piped_in_arrives_whole_and_in_order() -> None:
    count = 400
    streamer = subprocess.Popen([sys.executable, "-c", STREAMER, str(count)], stdout=subprocess.PIPE)
    assert streamer.stdout is not None
    stream_fd = os.dup(streamer.stdout.fileno())
    streamer.stdout.close()
    source = Source(StandardInput(), stdin_fd=stream_fd)
    try:
        source.start()
        spool_path = source.reader.path
        assert spool_path.stat().st_mode & 0o777 == 0o600
        assert spool_path.parent.stat().st_mode & 0o777 == 0o700
        updates = drain_until(source, lambda: source.status.state is SourceState.ENDED and len(source.reader) == count)
        assert streamer.wait(timeout=10) == 0
        reader = source.reader
        assert [reader.frame(i).input_state["seq"] for i in range(count)] == list(range(count))
        assert reader.session.session_id == "piped"
        assert sum(update.new_frames for update in updates) == count
        assert reader.problems_so_far == []
        assert "closed" in source.status.message
    finally:
        source.close()
        streamer.kill()
        streamer.wait()
    assert not spool_path.exists() and not spool_path.parent.exists()


def test_a_stream_that_stops_mid_line_keeps_the_complete_frames() -> None:
    read_end, write_end = os.pipe()
    source = Source(StandardInput(), stdin_fd=read_end)
    try:
        source.start()
        os.write(write_end, b'{"type":"frame","data":{"node_name":"a"}}\n{"type":"frame","data":{"node_na')
        drain_until(source, lambda: len(source.reader) == 1)
        os.close(write_end)
        drain_until(source, lambda: source.status.state is SourceState.ENDED)
        assert len(source.reader) == 1
        assert any("incomplete" in problem.reason for problem in source.reader.problems_so_far)
    finally:
        source.close()


def _incomplete(source: Source) -> list[tuple[int, str]]:
    return [(p.line, p.reason) for p in source.reader.problems_so_far if p.kind is ProblemKind.INCOMPLETE]


def test_a_stream_paused_mid_line_lists_the_line_as_a_file_would() -> None:
    """While the writer is mid-line the pipe's unfinished line is reported, with the file's words."""
    read_end, write_end = os.pipe()
    source = Source(StandardInput(), stdin_fd=read_end)
    try:
        source.start()
        partial = b'{"type":"frame","data":{"node_na'
        os.write(write_end, b'{"type":"frame","data":{"node_name":"a"}}\n' + partial)
        drain_until(source, lambda: len(source.reader) == 1 and bool(_incomplete(source)))
        assert _incomplete(source) == [
            (2, f"last line incomplete ({len(partial)} bytes without a newline): still being written, or cut off")
        ]
        os.write(write_end, b'me":"b"}}\n')
        drain_until(source, lambda: len(source.reader) == 2)
        assert _incomplete(source) == []
    finally:
        os.close(write_end)
        source.close()


def test_stdin_without_a_stream_is_refused() -> None:
    source = Source(StandardInput())
    try:
        try:
            source.start()
        except SourceError as exc:
            assert "take_over_stdin" in str(exc)
        else:
            raise AssertionError("a stdin source without a stream must not start")
    finally:
        source.close()


def test_line_splitter_keeps_the_unfinished_line() -> None:
    splitter = LineSplitter()
    assert splitter.feed(b"ab") == b""
    assert splitter.feed(b"c\nde\nf") == b"abc\nde\n"
    assert splitter.feed(b"\n") == b"f\n"
    assert splitter.feed(b"tail") == b""
    assert splitter.rest() == b"tail"
    assert splitter.rest() == b""


def test_a_spool_restart_looks_like_a_replaced_file_to_the_follower() -> None:
    box = UpdateBox(SourceStatus(SourceState.LIVE, ""))
    spool = Spool("../odd name.vcr")
    try:
        assert spool.path.parent.name.startswith("vcr-tui-") and "/" not in spool.path.name
        follower = FileFollower(spool.path, box)
        spool.append(b'{"type":"frame","data":{"node_name":"old"}}\n' * 3)
        follower.poll()
        assert len(follower.reader) == 3
        spool.restart()
        spool.append(b'{"type":"frame","data":{"node_name":"new"}}\n')
        follower.poll()
        update = box.take()
        assert update is not None and update.reset and update.frame_count == 1
        assert follower.reader.frame(0).node_name == "new"
        follower.reader.close()
    finally:
        spool.close()
    assert not spool.path.parent.exists()


# The child opens the pty as its controlling terminal (it is a session leader), hands its piped
# stdin over, then reports whether fd 0 is a terminal, the key read from it, and the pipe's bytes.
TAKE_OVER = """
import os, sys
terminal = os.open(sys.argv[1], os.O_RDWR)
from vcr_tui.sources import SourceError, take_over_stdin
try:
    stream = take_over_stdin()
except SourceError as exc:
    print("refused:", exc, flush=True)
    raise SystemExit(0)
data = b""
while chunk := os.read(stream, 4096):
    data += chunk
key = os.read(0, 100).decode().strip()  # typed on the terminal, not read from the pipe
print(os.isatty(0), key, data.decode(), flush=True)
"""


def test_take_over_stdin_gives_the_keys_back_to_the_terminal(tmp_path: Path) -> None:
    master, slave = pty.openpty()
    slave_name = os.ttyname(slave)
    try:
        os.write(master, b"q\n")  # a key press waiting on the terminal
        child = subprocess.run(
            [sys.executable, "-c", TAKE_OVER, slave_name],
            input=b"piped recording bytes",
            capture_output=True,
            start_new_session=True,
            timeout=30,
            check=False,
        )
        assert child.returncode == 0, child.stderr.decode()
        assert child.stdout.decode().split() == ["True", "q", "piped", "recording", "bytes"]
        refused = subprocess.run(
            [sys.executable, "-c", TAKE_OVER, slave_name],
            stdin=slave,
            capture_output=True,
            start_new_session=True,
            timeout=30,
            check=False,
        )
        assert refused.stdout.decode().startswith("refused:")
        assert "stdin is the terminal" in refused.stdout.decode()
    finally:
        os.close(master)
        os.close(slave)
