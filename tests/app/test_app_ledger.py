"""The app on a run served from a golden run: ↺ in the frame list, savings in the status line, ``$`` for the ledger."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.widgets import Static

from recorder.golden import CostLedger
from tests.support.app_support import SIZE, file_screen, press, settle, status_text, wait_until
from vcr_tui.app import VCRApp
from vcr_tui.screens.help_screen import HelpScreen
from vcr_tui.screens.ledger_screen import LedgerScreen
from vcr_tui.widgets.frame_list import Columns


async def test_the_frame_list_marks_answered_frames_and_the_status_line_says_what_they_saved(app_recordings) -> None:
    app = VCRApp(app_recordings.golden_served())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: "saved" in status_text(pilot), "the savings in the status line")
        assert "↺ 2 · saved 480 tokens / $0.0036" in status_text(pilot)
        screen = file_screen(app)
        columns = Columns(100, 4)
        rows = [screen.frame_list.row_text(screen.store.row(i), columns).plain for i in range(4)]
        assert [row[0] for row in rows] == ["↺", "↺", " ", " "]


async def test_dollar_opens_the_ledger_with_a_row_per_step_and_the_totals(app_recordings) -> None:
    path = app_recordings.golden_served()
    app = VCRApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "dollar_sign")
        screen = app.screen
        assert isinstance(screen, LedgerScreen)
        await wait_until(pilot, lambda: screen.ledger is not None, "the ledger")
        assert screen.ledger is not None
        assert screen.ledger.summary() == CostLedger.of_recording(path).summary()  # the engine's figures
        console = Console(width=110, record=True, file=io.StringIO())
        console.print(screen.query_one("#ledger-body", Static).content)
        text = console.export_text()
        assert "saved 26% · 480 tokens · $0.0036 · 970 ms  (2 answered, 2 live; spent 1,150 tokens / $0.01)" in text
        assert "↺ golden" in text and "llm:writer" in text
        await press(pilot, "escape")
        assert app.screen is file_screen(app)


async def test_the_ledger_key_is_in_the_help_and_the_palette(app_recordings) -> None:
    app = VCRApp(app_recordings.golden_served())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        listed = {entry.binding_id: entry for _, entries in help_screen.shown for entry in entries}
        assert listed["file.ledger"].keys == ("$",)
        assert "cost ledger" in listed["file.ledger"].description
        await press(pilot, "escape")
        await press(pilot, "ctrl+p")
        await pilot.press(*"cost ledger")
        await settle(pilot)
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, LedgerScreen)


async def test_a_recording_with_nothing_answered_shows_no_savings(app_recordings) -> None:
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "saved" not in status_text(pilot)


@pytest.mark.parametrize("size", [pytest.param((120, 30), id="120x30")])
def test_ledger_view_snapshot(snap_compare, app_recordings, size: tuple[int, int]) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await wait_until(pilot, lambda: "saved" in status_text(pilot), "the savings in the status line")
        await press(pilot, "dollar_sign")
        await wait_until(pilot, lambda: getattr(pilot.app.screen, "ledger", None) is not None, "the ledger")
        await settle(pilot)

    app = VCRApp(app_recordings.golden_served())
    assert snap_compare(app, terminal_size=size, run_before=run_before)
