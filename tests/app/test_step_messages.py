"""A step as the screen's parts tell it to each other: the messages posted, in order, for one key."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.message import Message

from tests.support.app_support import file_screen, settle, wait_until
from vcr_tui.app import VCRApp
from vcr_tui.logic.diff_model import DiffMode
from vcr_tui.messages import DiffReady, FrameHighlighted

SIZE = (120, 35)


def posted(seen: list[Message], kinds: tuple[type[Message], ...]) -> list[Message]:
    """Each message once, in the order posted (the hook sees it again at every node it bubbles to)."""
    unique = {id(message): message for message in seen if isinstance(message, kinds)}
    return list(unique.values())


@pytest.fixture
def demo(app_recordings) -> Path:
    return app_recordings.demo()


async def test_one_step_highlights_the_frame_then_answers_its_diff(demo: Path) -> None:
    seen: list[Message] = []
    app = VCRApp(demo)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        seen.clear()
        await pilot.press("j")

        def diff_for_frame_one() -> bool:
            return any(isinstance(m, DiffReady) and m.key[0] == 1 for m in seen)

        await wait_until(pilot, diff_for_frame_one, "the diff of frame #1")
        steps = posted(seen, (FrameHighlighted, DiffReady))
        assert isinstance(steps[0], FrameHighlighted)
        assert steps[0].index == 1
        answered = [m for m in steps if isinstance(m, DiffReady)]
        assert [m.key for m in answered] == [(1, DiffMode.STEP, "output", None)]  # one diff per step
        screen = file_screen(app)
        assert screen.view.cursor == 1 and screen.view.current is not None and screen.view.current.index == 1
        assert screen.diff_view.shown_key == answered[0].key


async def test_a_diff_for_a_frame_left_behind_is_never_shown(demo: Path) -> None:
    seen: list[Message] = []
    app = VCRApp(demo)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "j")
        await settle(pilot)
        screen = file_screen(app)
        assert screen.diff_view.shown_key is not None and screen.diff_view.shown_key[0] == 3
        highlighted = [m.index for m in posted(seen, (FrameHighlighted,))]  # type: ignore[attr-defined]
        assert highlighted[-3:] == [1, 2, 3]
