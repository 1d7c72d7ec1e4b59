"""Notifications never hide the status line or a dialog; the demo's steps have a panel of their own."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets._toast import Toast

from tests.support.app_support import file_screen, notifications, press, settle, wait_until
from vcr_tui.app import VCRApp
from vcr_tui.demo import record_demo
from vcr_tui.demo.walkthrough import walkthrough_text
from vcr_tui.screens.choice_screen import ChoiceScreen
from vcr_tui.widgets.status_line import StatusLine
from vcr_tui.widgets.walkthrough_panel import WalkthroughPanel

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 35), id="120x35")]


@pytest.fixture(autouse=True)
def no_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCR_DEMO_DELAY", "0")


def demo_app(tmp_path: Path) -> VCRApp:
    folder = tmp_path / "vcr-demo"
    recording = record_demo(folder)
    return VCRApp(folder, open_first=recording, welcome=walkthrough_text(in_app=True))


@pytest.mark.parametrize("size", SIZES)
async def test_a_notification_stands_above_the_status_line(app_recordings, size: tuple[int, int]) -> None:
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        app.notify("a notification with\nthree lines\nof text", timeout=60)
        screen = file_screen(app)
        await wait_until(pilot, lambda: bool(screen.query(Toast)), "a toast")
        await settle(pilot)
        status = screen.query_one(StatusLine).region
        for toast in screen.query(Toast):
            assert not toast.region.overlaps(status), (toast.region, status)


async def test_a_notification_is_not_drawn_over_a_dialog(app_recordings) -> None:
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "f")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceScreen), "the fork dialog")
        app.notify("something happened meanwhile", timeout=30)
        await settle(pilot)
        toasts = list(app.screen.query(Toast))
        assert toasts and all(not toast.visible for toast in toasts)
        await press(pilot, "s")  # the dialog closes: the notification is shown now
        await wait_until(pilot, lambda: any(toast.visible for toast in app.screen.query(Toast)), "the toast")


@pytest.mark.parametrize("size", SIZES)
async def test_the_demo_steps_are_a_panel_not_a_toast(tmp_path: Path, size: tuple[int, int]) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        panel = screen.query_one(WalkthroughPanel)
        assert "j j" in str(panel.render()) and "Try it" not in notifications(app)
        assert not panel.region.overlaps(screen.query_one(StatusLine).region)
        await press(pilot, "ctrl+w")
        assert not screen.query(WalkthroughPanel)


async def test_a_click_hides_the_panel(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.click(WalkthroughPanel)
        await settle(pilot)
        assert not file_screen(app).query(WalkthroughPanel)
