"""A folder of recordings: sessions appearing (a new run, a fork), growing and going away."""

from __future__ import annotations

import os
from pathlib import Path

from recorder import VCRRecorder
from vcr_tui.sources import DirectoryWatcher


def test_sessions_appearing_growing_and_disappearing(tmp_path: Path) -> None:
    first = VCRRecorder(tmp_path)
    first.start_session(session_id="first")
    (tmp_path / "notes.txt").write_text("not a recording")
    watcher = DirectoryWatcher(tmp_path)
    assert [path.name for path in watcher.files] == ["first.vcr"]
    assert not watcher.poll()

    first.record_step("step", {"a": 1}, {"a": 2})
    fork = first.fork(0, new_session_id="first-fork")
    changes = watcher.poll()
    assert [path.name for path in changes.added] == ["first-fork.vcr"]
    assert [path.name for path in changes.changed] == ["first.vcr"]
    assert changes.removed == ()

    fork.close()
    first.close()
    assert first.path is not None
    os.unlink(first.path)
    changes = watcher.poll()
    assert [path.name for path in changes.removed] == ["first.vcr"]
    assert [path.name for path in changes.changed] == ["first-fork.vcr"]  # close() appended the totals
    assert [path.name for path in watcher.files] == ["first-fork.vcr"]


def test_a_vanished_folder_reports_everything_removed(tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    recorder = VCRRecorder(folder)
    recorder.start_session(session_id="only")
    recorder.close()
    watcher = DirectoryWatcher(folder)
    assert recorder.path is not None
    recorder.path.unlink()
    folder.rmdir()
    assert [path.name for path in watcher.poll().removed] == ["only.vcr"]
