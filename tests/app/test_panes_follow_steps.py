"""A step moves the list, the details and the status line with the key; the tree and the diff follow.

The tree and the diff of the new frame are filled after the step's own screen update, and while
steps come faster than that (``j`` held) once they pause: the panes end on the last frame, and
the frames passed over are never filled in, one after another, after the keys stopped.
"""

from __future__ import annotations

import pytest
from textual.message import Message

from tests.support.app_support import SIZE, file_screen, settle, status_text, wait_until
from vcr_tui.app import VCRApp
from vcr_tui.messages import DiffReady
from vcr_tui.widgets.state_tree import StateTree


async def test_a_step_shows_the_details_and_position_at_once_and_the_tree_and_diff_after(app_recordings) -> None:
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        await pilot.press("j")
        assert screen.details.frame is not None and screen.details.frame.index == 1
        assert "#1 (2/" in status_text(pilot)
        await settle(pilot)
        assert screen.state_tree.shown_index == 1
        assert screen.diff_view.shown_key is not None and screen.diff_view.shown_key[0] == 1
        assert not screen.panes_pending


async def test_held_steps_fill_the_tree_and_the_diff_once_for_the_last_frame(
    app_recordings, monkeypatch: pytest.MonkeyPatch
) -> None:
    filled: list[int] = []
    show_state = StateTree.show_state

    def counted(tree: StateTree, state: dict[str, object], *, index: int, side: str) -> None:
        filled.append(index)
        show_state(tree, state, index=index, side=side)

    monkeypatch.setattr(StateTree, "show_state", counted)
    seen: list[Message] = []
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        filled.clear()
        seen.clear()
        for _ in range(8):  # what eight repeats of a held j do, before the app draws anything
            screen.frame_list.action_cursor_down()
        assert screen.details.frame is not None and screen.details.frame.index == 8
        assert screen.state_tree.shown_index == 0 and screen.panes_pending  # not one per key
        await settle(pilot)
        assert filled == [8]
        assert screen.state_tree.shown_index == 8
        diffs = {message.key[0] for message in seen if isinstance(message, DiffReady)}
        assert diffs == {8}


async def test_keys_between_steps_see_the_current_frame(app_recordings) -> None:
    """Toggling the side right after a step shows the new frame's other side, not the old frame's."""
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        screen.frame_list.action_cursor_down()
        screen.frame_list.action_cursor_down()
        await pilot.press("i")
        assert screen.state_tree.shown_index == 2 and screen.state_tree.shown_side == "input"
        await settle(pilot)
        await wait_until(pilot, lambda: screen.diff_view.shown_key is not None and screen.diff_view.shown_key[0] == 2)
        assert screen.state_tree.shown_index == 2 and screen.state_tree.shown_side == "input"
