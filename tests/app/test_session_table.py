"""The session list draws only the rows in view: a long folder scrolls, keeps its cursor in view,
opens the right row by key or click, and shows file text literally."""

from __future__ import annotations

from pathlib import Path

from tests.support.app_support import press, settle
from tests.support.vcr_lines import frame, header
from vcr_tui.app import VCRApp
from vcr_tui.screens.debugger.file_screen import FileScreen
from vcr_tui.screens.directory_screen import DirectoryScreen, SessionTable

SIZE = (120, 20)


def saved_runs(folder: Path, count: int) -> None:
    for number in range(count):
        session_id = f"run-{number:04d}"
        created = f"2026-02-01T00:{number // 60:02d}:{number % 60:02d}.000000+00:00"
        closing = header(session_id, created_at=created, frame_count=1, total_tokens=number + 1)
        (folder / f"{session_id}.vcr").write_bytes(
            header(session_id, created_at=created) + frame("step", 0, session_id=session_id) + closing
        )


def screen_text(app: VCRApp) -> str:
    table = app.screen.query_one(SessionTable)
    return "\n".join(table.render_line(y).text for y in range(table.scrollable_content_region.height))


async def test_a_long_list_scrolls_with_its_cursor_and_opens_the_row_under_it(tmp_path: Path) -> None:
    saved_runs(tmp_path, 400)
    app = VCRApp(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DirectoryScreen) and len(screen.ordered) == 400
        table = screen.query_one(SessionTable)
        assert table.row_count == 400
        shown = screen_text(app)
        assert "run-0399" in shown and "run-0000" not in shown  # newest first, only a screenful drawn
        await press(pilot, "G")
        assert table.cursor_row == 399 and "run-0000" in screen_text(app)
        await press(pilot, "pageup")
        assert table.cursor_row < 399 and "run-0000" not in screen_text(app)
        await press(pilot, "g")
        assert table.cursor_row == 0 and "run-0399" in screen_text(app)
        await press(pilot, "j", "j")
        expected = screen.ordered[2].session_id
        assert expected in screen_text(app).splitlines()[3]  # header, then rows 0, 1, 2
        await pilot.click(SessionTable, offset=(4, 5))  # row 4: moves the cursor there
        await settle(pilot)
        assert table.cursor_row == 4 and app.screen is screen
        await pilot.click(SessionTable, offset=(4, 5))  # the cursor's row: opens it
        await settle(pilot)
        opened = app.screen
        assert isinstance(opened, FileScreen) and opened.path.stem == screen.ordered[4].session_id


async def test_file_text_in_the_list_is_literal(tmp_path: Path) -> None:
    hostile = "[bold red]x[/]\x1b]52;c;aGk=\x07"
    closing = header(hostile, frame_count=1, tags=["[link=x]t[/link]"])
    (tmp_path / "odd.vcr").write_bytes(header(hostile) + frame("step", 0, session_id=hostile) + closing)
    app = VCRApp(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = screen_text(app)
        assert "[bold red]x[/]" in shown and "[link=x]t[/link]" in shown
        assert "\x1b" not in shown and "\x07" not in shown
