"""Keys that arrive in one burst (a paste, a fast typist over ssh) all reach the prompt they follow.

Pilot waits for the app after each key, which hides the race: here the keys are posted to the app
at once, as a terminal delivers a paste.
"""

from __future__ import annotations

from textual import events
from textual.pilot import Pilot

from tests.support.app_support import SIZE, file_screen, settle, status_text, wait_until
from vcr_tui.app import VCRApp


def burst(pilot: Pilot[None], text: str) -> None:
    """Send every key of ``text`` (``\\r`` is Enter) through the driver before the app handles one."""
    driver = pilot.app._driver
    assert driver is not None
    for char in text:
        if char == "\r":
            key = events.Key("enter", "\r")
        elif char == ":":
            key = events.Key("colon", ":")
        elif char == "/":
            key = events.Key("slash", "/")
        else:
            key = events.Key(char, char)
        key.set_sender(pilot.app)
        driver.send_message(key)


async def test_goto_typed_in_one_burst_goes_to_the_frame(app_recordings) -> None:
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        burst(pilot, ":7\r")
        await wait_until(pilot, lambda: screen.frame_list.cursor == 7, "the cursor on #7")
        assert screen.focused is screen.frame_list  # the digit did not move the focus to a pane


async def test_search_typed_in_one_burst_searches_for_every_letter(app_recordings) -> None:
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        burst(pilot, "/report\r")
        await wait_until(pilot, lambda: screen.search_state is not None and screen.search_state.done, "the search")
        assert screen.search_state is not None and screen.search_state.query == "report"
        assert "/report" in status_text(pilot)
