"""A big folder's rows are measured by the process that scans it and built only when drawn: what
is drawn is what a row built at once says, and filtering, sorting and rescanning work over rows
that were never drawn."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.app_support import press, settle, wait_until
from tests.support.vcr_lines import frame, header
from vcr_tui.app import VCRApp
from vcr_tui.logic.folder_scan import ELSEWHERE_FROM
from vcr_tui.logic.session_browse import SortColumn
from vcr_tui.logic.session_cells import session_cells
from vcr_tui.screens.directory_screen import DirectoryScreen, SessionTable
from vcr_tui.widgets.line_table import Row, cell_text

SIZE = (120, 20)
COUNT = ELSEWHERE_FROM + 50
AN_HOUR_NS = 3_600 * 10**9


def saved(folder: Path, number: int, **closing: object) -> Path:
    session_id = f"run-{number:04d}"
    created = f"2026-02-01T00:{number // 60 % 60:02d}:{number % 60:02d}.000000+00:00"
    path = folder / f"{session_id}.vcr"
    closing.setdefault("tags", [f"t{number % 7}", "夜間"])
    last = header(session_id, created_at=created, frame_count=1, total_tokens=number * 37 % 1000 + 1, **closing)
    path.write_bytes(header(session_id, created_at=created) + frame("step", 0, session_id=session_id) + last)
    when = os.stat(path).st_mtime_ns - AN_HOUR_NS + number
    os.utime(path, ns=(when, when))
    return path


def drawn_text(table: SessionTable) -> list[str]:
    return [table.render_line(y).text for y in range(1, table.scrollable_content_region.height)]


def built(table: SessionTable) -> int:
    return sum(1 for row in table._rows if row._cells is not None)


async def test_rows_built_when_drawn_say_what_rows_built_at_once_say(tmp_path: Path) -> None:
    for number in range(COUNT):
        saved(tmp_path, number, parent_session_id="run-0000" if number == 5 else None, forked_from_frame=0)
    for run in ("read from the files", "from the cache"):
        app = VCRApp(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, DirectoryScreen) and screen.scan_done, run
            table = screen.table
            assert table.row_count == COUNT
            assert built(table) < COUNT // 4, run  # only about a screenful (and the fork's parent)
            drawn = drawn_text(table)
            # The same table with every row built at once, drawn in the same place.
            lazy_rows = table._rows
            table.set_rows([Row(session_cells(entry)) for entry in screen.ordered])
            assert drawn_text(table) == drawn, run
            assert [row.widths for row in table._rows] == [row.widths for row in lazy_rows], run
            assert [cell_text(cell).plain for cell in lazy_rows[3].cells] == [
                cell_text(cell).plain for cell in session_cells(screen.ordered[3])
            ]
            table.set_rows(lazy_rows)


async def test_filtering_sorting_and_rescanning_reach_rows_never_drawn(tmp_path: Path) -> None:
    paths = [saved(tmp_path, number) for number in range(COUNT)]
    async with VCRApp(tmp_path).run_test(size=SIZE) as pilot:
        await settle(pilot)  # the cache is filled
    app = VCRApp(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DirectoryScreen)
        table = screen.table
        assert "run-0003" not in "\n".join(drawn_text(table))  # newest first: far below the screen
        await press(pilot, "slash", *"run-0003", "enter")
        assert [entry.session_id for entry in screen.ordered] == ["run-0003"]
        assert "run-0003" in drawn_text(table)[0] and "t3, 夜間" in drawn_text(table)[0]
        await press(pilot, "escape")
        while screen.sort_column is not SortColumn.TOKENS:
            await press(pilot, "s")
        most = max(screen.entries, key=lambda entry: entry.tokens)
        assert screen.ordered[0].tokens == most.tokens
        assert f"{most.tokens:,}" in drawn_text(table)[0]
        # A file that changed is read again, and its row says so.
        changed = paths[1]
        changed.write_bytes(
            changed.read_bytes()
            + frame("late", 1, session_id="run-0001")
            + header("run-0001", frame_count=2, total_tokens=99_999, tags=["late"])
        )
        screen.refresh_sessions()
        await wait_until(pilot, lambda: screen.scan_done and screen.ordered[0].session_id == "run-0001")
        await settle(pilot)
        assert "99,999" in drawn_text(table)[0] and "late" in drawn_text(table)[0]
