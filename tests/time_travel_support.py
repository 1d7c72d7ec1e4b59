"""Helpers shared by the edit, fork and resume tests: the demo recording and waiting on the app."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from vcr_tui.app import VCRApp
from vcr_tui.screens.choice_screen import ChoiceScreen
from vcr_tui.screens.file_screen import FileScreen

SIZE = (120, 35)


async def settle(pilot: Pilot[None]) -> None:
    """Let messages, the workers they start, and the messages those post, all finish."""
    for _ in range(50):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in pilot.app.workers):
            return


async def wait_until(pilot: Pilot[None], condition: Callable[[], object], timeout: float = 60.0) -> None:
    """Pause until ``condition()`` holds (the app keeps running meanwhile); fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {getattr(condition, '__name__', condition)}")
        await pilot.pause(0.02)


async def press(pilot: Pilot[None], *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


def file_screen(app: VCRApp) -> FileScreen:
    screen = app.screen
    assert isinstance(screen, FileScreen), f"expected a file screen, got {screen!r}"
    return screen


def dialog(app: VCRApp) -> ChoiceScreen[object]:
    screen = app.screen
    assert isinstance(screen, ChoiceScreen), f"expected a dialog, got {screen!r}"
    return screen


def recordings_in(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.vcr"))


def notifications(app: VCRApp) -> str:
    return "\n".join(notification.message for notification in app._notifications)
