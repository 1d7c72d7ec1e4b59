"""Helpers for the app's tests driven through Textual's Pilot: waiting on the app, pressing keys,
and reading what the screens show."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.app import App
from textual.css.query import NoMatches
from textual.notifications import Notify
from textual.pilot import Pilot

from vcr_tui.app import VCRApp
from vcr_tui.screens.choice_screen import ChoiceScreen
from vcr_tui.screens.debugger.file_screen import FileScreen
from vcr_tui.widgets.diff_view import DiffView
from vcr_tui.widgets.status_line import StatusLine

SIZE = (120, 35)
NOTIFICATION_LOG = "_test_notification_log"  # where the conftest fixture keeps what the app showed


async def settle(pilot: Pilot[None]) -> None:
    """Let messages, the workers they start, and the messages those post, all finish; and the
    debugger's tree and diff follow the last step (they wait for a burst of steps to pause)."""
    for _ in range(50):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in pilot.app.workers):
            if not panes_pending(pilot.app):
                return
            await wait_until(pilot, lambda: not panes_pending(pilot.app), "the tree and the diff to follow the step")


def panes_pending(app: App[object]) -> bool:
    """A debugger screen's tree and diff have yet to follow its last step."""
    return any(isinstance(screen, FileScreen) and screen.panes_pending for screen in app.screen_stack)


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], object], what: str | None = None, timeout: float = 60.0
) -> None:
    """Let the app run until ``condition()`` holds; fail with ``what`` (and the status) after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            waited_for = what or getattr(condition, "__name__", condition)
            raise AssertionError(f"gave up waiting for {waited_for}; status line: {status_text(pilot)!r}")
        await pilot.pause(0.05)


async def press(pilot: Pilot[None], *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


def file_screen(app: VCRApp) -> FileScreen:
    screen = app.screen
    assert isinstance(screen, FileScreen), f"expected a file screen, got {screen!r}"
    return screen


def assert_showing(app: VCRApp, index: int) -> None:
    """The list's cursor, the tree and the diff all show frame ``index``."""
    screen = file_screen(app)
    assert screen.frame_list.cursor == index
    assert screen.state_tree.shown_index == index
    assert screen.diff_view.shown_key is not None and screen.diff_view.shown_key[0] == index


def diff_text(app: VCRApp) -> str:
    return "\n".join(line.plain for line in app.screen.query_one(DiffView).lines)


def status_text(pilot: Pilot[None]) -> str:
    try:
        return pilot.app.screen.query_one(StatusLine).render().plain
    except NoMatches:  # another screen is on top: say which
        return f"<{type(pilot.app.screen).__name__}>"


def dialog(app: VCRApp) -> ChoiceScreen[object]:
    screen = app.screen
    assert isinstance(screen, ChoiceScreen), f"expected a dialog, got {screen!r}"
    return screen


def recordings_in(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.vcr"))


def notifications(app: VCRApp) -> str:
    """Every notification the app has shown so far, expired or not.

    Textual drops a notification from ``app._notifications`` once its timeout has passed on the
    wall clock, so reading that would make a test depend on how busy the machine is. The
    ``notification_log`` fixture keeps each ``Notify`` message the app handles.
    """
    logged = getattr(app, NOTIFICATION_LOG, None)
    shown = logged if logged is not None else list(app._notifications)
    return "\n".join(str(notification.message) for notification in shown)


def keep_notification_log(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every ``VCRApp`` keep each notification it handles, for ``notifications`` to read."""
    shown = App._on_notify

    def _on_notify(self: App[object], event: Notify) -> None:
        self.__dict__.setdefault(NOTIFICATION_LOG, []).append(event.notification)
        shown(self, event)

    monkeypatch.setattr(VCRApp, "_on_notify", _on_notify, raising=False)
