"""Following a local file while another process writes, truncates, replaces or rewrites it."""

from __future__ import annotations

import os
import random
import threading
import time
from pathlib import Path

import pytest

from recorder import VCRPlayer, VCRRecorder
from tests.support.source_support import drain_until, go, record, seqs, start_writer
from vcr_tui.sources import Source, SourceError, SourceState, open_source
from vcr_tui.sources.follow import FileFollower
from vcr_tui.sources.updates import SourceStatus, UpdateBox

WRITER = """
import sys, time
from recorder import VCRPlayer, VCRRecorder
folder, count, pause = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
recorder = VCRRecorder(folder)
recorder.start_session(session_id="live")
print(recorder.path, flush=True)
sys.stdin.readline()  # go
for seq in range(count):
    recorder.record_step(f"step-{seq}", {"seq": seq}, {"seq": seq, "pad": "x" * (seq * 37 % 900)})
    if pause and seq % 7 == 0:
        time.sleep(pause)
recorder.close()
"""


def test_frames_from_a_writer_process_arrive_once_and_in_order(tmp_path: Path) -> None:
    count = 600
    writer, path = start_writer(WRITER, tmp_path, count, 0.002)
    try:
        source = open_source(str(path))
        with source:
            source.start()
            go(writer)
            seen_counts: list[int] = []

            def all_there() -> bool:
                seen_counts.append(len(source.reader))
                return len(source.reader) >= count and writer.poll() is not None

            updates = drain_until(source, all_there)
            assert writer.wait(timeout=10) == 0
            assert seqs(source) == list(range(count))
            assert updates[0].reset and all(not update.reset for update in updates[1:])
            assert sum(update.new_frames for update in updates) == count
            assert seen_counts == sorted(seen_counts)  # never went backwards
            assert len(updates) > 2, "frames should arrive in several batches while the writer runs"
            assert source.status.state is SourceState.LIVE
    finally:
        writer.kill()
        writer.wait()


def test_a_partial_last_line_waits_until_it_is_complete(tmp_path: Path) -> None:
    path = record(tmp_path, "partial", 2)
    line = record(tmp_path / "other", "partial", 1, start=2).read_bytes().splitlines(keepends=True)[1]
    box = UpdateBox(SourceStatus(SourceState.LIVE, ""))
    follower = FileFollower(path, box)
    try:
        assert len(follower.reader) == 2
        with path.open("ab") as handle:
            handle.write(line[:40])
        follower.poll()
        assert len(follower.reader) == 2
        assert box.take() is None
        with path.open("ab") as handle:
            handle.write(line[40:])
        follower.poll()
        assert len(follower.reader) == 3
        assert follower.reader.frame(2).input_state == {"seq": 2}
        update = box.take()
        assert update is not None and update.frame_count == 3 and not update.reset
    finally:
        follower.reader.close()


def test_a_partial_line_is_not_shown_by_a_running_source(tmp_path: Path) -> None:
    path = record(tmp_path, "partial", 1)
    line = record(tmp_path / "other", "partial", 1, start=1).read_bytes().splitlines(keepends=True)[1]
    with open_source(str(path)) as source:
        source.start()
        drain_until(source, lambda: len(source.reader) == 1)
        with path.open("ab") as handle:
            handle.write(line[:-30])
        time.sleep(0.3)  # several polls: the half line must still not count
        assert len(source.reader) == 1
        assert source.take() is None
        with path.open("ab") as handle:
            handle.write(line[-30:])
        drain_until(source, lambda: len(source.reader) == 2)
        assert seqs(source) == [0, 1]


def _follower(path: Path) -> tuple[FileFollower, UpdateBox]:
    box = UpdateBox(SourceStatus(SourceState.LIVE, ""))
    return FileFollower(path, box), box


def _who(follower: FileFollower) -> set[str]:
    reader = follower.reader
    return {reader.frame(i).output_state["who"] for i in range(len(reader))}


def test_truncation_starts_over(tmp_path: Path) -> None:
    path = record(tmp_path, "old", 5)
    follower, box = _follower(path)
    try:
        assert _who(follower) == {"old"}
        new = record(tmp_path / "new", "new", 2).read_bytes()
        with path.open("r+b") as handle:
            handle.truncate(0)
            handle.write(new)
        follower.poll()
        update = box.take()
        assert update is not None and update.reset and update.frame_count == 2
        assert _who(follower) == {"new"}
        assert follower.reader.generation == 1
    finally:
        follower.reader.close()


def test_a_file_renamed_over_the_followed_one_starts_over(tmp_path: Path) -> None:
    """Log rotation, and the way the peer 1.5.x saves: a new file renamed over the old name."""
    path = record(tmp_path, "old", 3)
    follower, box = _follower(path)
    try:
        longer = record(tmp_path / "new", "new", 9)
        os.replace(longer, path)
        follower.poll()
        update = box.take()
        assert update is not None and update.reset and update.frame_count == 9
        assert _who(follower) == {"new"}
    finally:
        follower.reader.close()


def test_a_longer_rewrite_in_place_starts_over(tmp_path: Path) -> None:
    """A tool that opens the file for writing and writes everything again, longer than before."""
    path = record(tmp_path, "old", 3)
    follower, box = _follower(path)
    try:
        inode = path.stat().st_ino
        path.write_bytes(record(tmp_path / "new", "new", 8).read_bytes())
        assert path.stat().st_ino == inode
        follower.poll()
        update = box.take()
        assert update is not None and update.reset and update.frame_count == 8
        assert _who(follower) == {"new"}
    finally:
        follower.reader.close()


def test_a_rewrite_that_only_changes_the_last_frame_and_appends_starts_over(tmp_path: Path) -> None:
    """The bytes just before the old end are the same, so only re-reading the last frame tells."""
    path = record(tmp_path, "old", 3)
    follower, box = _follower(path)
    try:
        data = path.read_bytes()
        lines = data.splitlines(keepends=True)
        last_frame = max(i for i, line in enumerate(lines) if line.startswith(b'{"type":"frame"'))
        changed = lines[last_frame].replace(b'"node_name":"step-2"', b'"node_name":"step-X"')
        assert len(changed) == len(lines[last_frame]) and changed != lines[last_frame]
        lines[last_frame] = changed
        extra = record(tmp_path / "more", "old", 1, start=3).read_bytes().splitlines(keepends=True)[1]
        with path.open("r+b") as handle:  # in place, same inode, then one more frame
            handle.write(b"".join(lines) + extra)
        follower.poll()
        update = box.take()
        assert update is not None and update.reset
        reader = follower.reader
        assert [reader.frame(i).node_name for i in range(len(reader))] == ["step-0", "step-1", "step-X", "step-3"]
    finally:
        follower.reader.close()


def test_a_running_source_follows_replacements_of_every_kind(tmp_path: Path) -> None:
    path = record(tmp_path, "first", 4)
    with open_source(str(path)) as source:
        source.start()
        drain_until(source, lambda: len(source.reader) == 4)
        os.replace(record(tmp_path / "b", "second", 2), path)
        updates = drain_until(source, lambda: len(source.reader) == 2 and _names(source) == {"second"})
        assert any(update.reset for update in updates)
        path.write_bytes(record(tmp_path / "c", "third", 3).read_bytes())
        updates = drain_until(source, lambda: _names(source) == {"third"})
        assert any(update.reset for update in updates)
        assert len(source.reader) == 3


def _names(source: Source) -> set[str]:
    reader = source.reader
    with reader.locked() as inner:
        return {inner.frame(i).output_state["who"] for i in range(len(inner))}


def test_a_removed_file_is_waited_for_and_picked_up_again(tmp_path: Path) -> None:
    path = record(tmp_path, "first", 2)
    with open_source(str(path)) as source:
        source.start()
        drain_until(source, lambda: source.status.state is SourceState.LIVE)
        path.unlink()
        drain_until(source, lambda: source.status.state is SourceState.WAITING)
        assert "removed" in source.status.message
        assert len(source.reader) == 2  # what was seen stays on screen
        os.replace(record(tmp_path / "again", "again", 3), path)
        drain_until(source, lambda: source.status.state is SourceState.LIVE and len(source.reader) == 3)


def test_reading_frames_while_the_file_grows_and_is_replaced_never_breaks(tmp_path: Path) -> None:
    """The screen's thread reads random frames while the follower swaps and extends the index."""
    path = record(tmp_path, "base", 50)
    errors: list[BaseException] = []
    stop = threading.Event()
    with open_source(str(path)) as source:
        source.start()

        def read_randomly() -> None:
            generator = random.Random(5)
            while not stop.is_set():
                reader = source.reader
                count = len(reader)
                try:
                    if count:
                        reader.frame(generator.randrange(count))
                except IndexError:
                    pass  # the file was replaced by a shorter one between len() and frame()
                except BaseException as exc:
                    errors.append(exc)
                    return

        reader_thread = threading.Thread(target=read_randomly)
        reader_thread.start()
        try:
            recorder = VCRRecorder(tmp_path / "grow")
            recorder.start_session(session_id="grow")
            assert recorder.path is not None
            os.replace(recorder.path, path)  # follow the recorder's file under the followed name
            for seq in range(300):
                recorder.record_step("step", {"seq": seq}, {"seq": seq, "who": "grow"})
            recorder.close()
            drain_until(source, lambda: len(source.reader) == 300)
        finally:
            stop.set()
            reader_thread.join()
        assert errors == []
        assert seqs(source) == list(range(300))


def test_not_following_reads_once(tmp_path: Path) -> None:
    path = record(tmp_path, "still", 3)
    with open_source(str(path), follow=False) as source:
        source.start()
        update = source.take()
        assert update is not None and update.frame_count == 3
        assert source.status.state is SourceState.STATIC
        with path.open("ab") as handle:
            handle.write(record(tmp_path / "y", "still", 1, start=3).read_bytes().splitlines(keepends=True)[1])
        time.sleep(0.2)
        assert len(source.reader) == 3


@pytest.mark.parametrize("kind", ["missing", "folder"])
def test_a_local_path_that_cannot_be_read_says_why(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "nothing.vcr"
    if kind == "folder":
        target.mkdir()
    source = open_source(str(target))
    with pytest.raises(SourceError, match="no such recording" if kind == "missing" else "is a folder"):
        source.start()
    source.close()


def test_a_player_works_on_top_of_the_live_reader(tmp_path: Path) -> None:
    """The app's player (compare, step changes, export) reads through the source's lock."""
    path = record(tmp_path, "played", 3)
    with open_source(str(path)) as source:
        source.start()
        player = VCRPlayer(source.reader)  # type: ignore[arg-type]
        assert len(player) == 3
        assert player.goto_frame(2) == {"seq": 2, "who": "played"}
        changes = player.compare_frames(0, 1)
        assert [(change.path, change.old, change.new) for change in changes] == [(("seq",), 0, 1)]
        assert player.update().new_frames == 0  # the follower updates, not the player
