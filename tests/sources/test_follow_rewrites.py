"""A file rewritten in place without changing its size is noticed and read again."""

from __future__ import annotations

import os
from pathlib import Path

from recorder import VCRReader
from tests.support.source_support import drain_until, record
from vcr_tui.sources import open_source


def rewrite_middle(path: Path, frames: range, old: bytes, new: bytes) -> None:
    """Same bytes count, same first and last lines; only frames in ``frames`` change."""
    assert len(old) == len(new)
    lines = path.read_bytes().splitlines(keepends=True)
    frame_lines = [i for i, line in enumerate(lines) if line.startswith(b'{"type":"frame"')]
    for position in frames:
        line = lines[frame_lines[position]]
        assert old in line
        lines[frame_lines[position]] = line.replace(old, new)
    with path.open("r+b") as handle:
        handle.write(b"".join(lines))


def test_a_same_size_rewrite_is_noticed_even_with_the_old_mtime_put_back(tmp_path: Path) -> None:
    path = record(tmp_path, "run", 60)
    reader = VCRReader(path)
    try:
        before = os.stat(path)
        rewrite_middle(path, range(2, 58), b'"who":"run"', b'"who":"RUN"')
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # a tool that keeps the mtime
        after = os.stat(path)
        assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
        update = reader.update()
        assert update.reset
        assert reader.frame(30).output_state["who"] == "RUN"
    finally:
        reader.close()


def test_a_same_size_rewrite_of_one_frame_is_noticed_by_its_mtime(tmp_path: Path) -> None:
    path = record(tmp_path, "run", 60)
    reader = VCRReader(path)
    try:
        before = os.stat(path)
        rewrite_middle(path, range(1, 2), b'"who":"run"', b'"who":"one"')
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000))  # a coarse clock's next tick
        update = reader.update()
        assert update.reset
        assert reader.frame(1).output_state["who"] == "one"
        assert not reader.update().reset  # and nothing more once it is read again
    finally:
        reader.close()


def test_a_followed_file_rewritten_in_place_is_shown_again(tmp_path: Path) -> None:
    path = record(tmp_path, "run", 40)
    with open_source(str(path)) as source:
        source.start()
        drain_until(source, lambda: len(source.reader) == 40)

        def shown() -> str:
            with source.reader.locked() as reader:
                return str(reader.frame(5).output_state["who"])

        assert shown() == "run"  # parsed and cached, as a screen showing it would have
        rewrite_middle(path, range(5, 6), b'"who":"run"', b'"who":"new"')
        updates = drain_until(source, lambda: shown() == "new")
        assert any(update.reset for update in updates)
