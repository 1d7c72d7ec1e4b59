"""The screens a new user meets first, at 80×24 and 120×35 (baselines in the top-level ``snapshots/``).

Recordings have fixed ids and timestamps, so the pictures change only when the look does.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from tests.app.test_snapshots import keys_then_settle
from tests.support.app_support import settle
from vcr_tui.app import VCRApp
from vcr_tui.demo.walkthrough import walkthrough_text

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 35), id="120x35")]


@pytest.mark.parametrize("size", SIZES)
def test_the_debugger_with_the_walkthrough_panel(snap_compare, app_recordings, size: tuple[int, int]) -> None:
    app = VCRApp(app_recordings.demo(), welcome=walkthrough_text(in_app=True))
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle("j"))


@pytest.mark.parametrize("size", SIZES)
def test_a_long_value_in_the_viewer(snap_compare, app_recordings, size: tuple[int, int]) -> None:
    app = VCRApp(app_recordings.demo())
    keys = ("j", "j", "2", "j", "enter")  # #2 tool:read_file, output: the 40-line result
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle(*keys))


@pytest.mark.parametrize("size", SIZES)
def test_the_help_filtered(snap_compare, app_recordings, size: tuple[int, int]) -> None:
    app = VCRApp(app_recordings.demo())
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle("question_mark", *"diff"))


@pytest.mark.parametrize("size", SIZES)
def test_the_question_before_quitting_with_an_edit(snap_compare, app_recordings, size: tuple[int, int]) -> None:
    app = VCRApp(app_recordings.demo())

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        pilot.app.screen.query_one(TextArea).text = '{"task": "fix it", "step": 9}'
        for key in ("ctrl+s", "q"):
            await pilot.press(key)
            await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
