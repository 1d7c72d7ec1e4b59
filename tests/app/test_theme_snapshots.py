"""The debugger's main screen in textual-light, at 80×24 and 120×35 (baselines in ``snapshots/``).

Every colour on it comes from the light theme's variables: no dark row, diff line or badge.
"""

from __future__ import annotations

import pytest

from tests.app.test_snapshots import keys_then_settle
from vcr_tui.app import VCRApp

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 35), id="120x35")]


@pytest.mark.parametrize("size", SIZES)
def test_the_debugger_in_textual_light(snap_compare, app_recordings, size: tuple[int, int]) -> None:
    app = VCRApp(app_recordings.demo())
    app.theme = "textual-light"
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle("j", "j", "j"))


@pytest.mark.parametrize("size", SIZES)
def test_the_session_list_in_textual_light(snap_compare, app_recordings, size: tuple[int, int]) -> None:
    app = VCRApp(app_recordings.sessions_folder())
    app.theme = "textual-light"
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle("j"))
