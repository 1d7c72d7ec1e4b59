"""How the main screens look, at 80×24 and 160×45 (baselines in the top-level ``snapshots/``).

The recordings are written with fixed ids and timestamps and the screens show file names, never
paths, so the pictures only change when the app's look does. Update with ``--snapshot-update``
and look at the SVGs before accepting them.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from tests.support.app_support import settle
from vcr_tui.app import VCRApp

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 45), id="160x45")]


def keys_then_settle(*keys: str):
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_file_view_on_an_error_frame(snap_compare, app_recordings, size: tuple[int, int]) -> None:
    app = VCRApp(app_recordings.demo())
    assert snap_compare(
        app, terminal_size=size, run_before=keys_then_settle("right_square_bracket", "right_square_bracket", "2")
    )


@pytest.mark.parametrize("size", SIZES)
def test_file_view_on_an_llm_call_with_a_search(snap_compare, app_recordings, size: tuple[int, int]) -> None:
    app = VCRApp(app_recordings.demo())
    keys = ("slash", *"gpt", "enter", "2", "l", "j", "l", "d")
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle(*keys))


@pytest.mark.parametrize("size", SIZES)
def test_directory_view(snap_compare, app_recordings, size: tuple[int, int]) -> None:
    app = VCRApp(app_recordings.sessions_folder())
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle("j"))


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare, app_recordings, size: tuple[int, int]) -> None:
    app = VCRApp(app_recordings.demo())
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle("question_mark"))


@pytest.mark.parametrize("size", SIZES)
def test_warning_for_skipped_lines(snap_compare, app_recordings, size: tuple[int, int]) -> None:
    app = VCRApp(app_recordings.with_problems())
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle())
