"""The panes a step leaves unchanged answer the step's screen update from their kept lines.

A step's screen update spans the whole file screen, so every pane is asked for its lines;
``KeptLines`` gives the tree, the diff, the screen and the panes' containers their last lines
again instead of looking each one up anew. These tests hold both halves of that: a step's own
update takes the kept lines, and whatever changes a pane (its content, the focus, the theme)
draws it afresh.
"""

from __future__ import annotations

from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from tests.support.app_support import SIZE, file_screen, settle
from vcr_tui.app import VCRApp
from vcr_tui.widgets.kept_lines import KeptLines


def kept_widgets(app: VCRApp) -> list[Widget]:
    screen = file_screen(app)
    found = [widget for widget in screen.query("*") if isinstance(widget, KeptLines)]
    return [screen, *found]


def lines(widget: Widget) -> list[Strip]:
    return widget.render_lines(Region(0, 0, *widget.outer_size))  # as the screen asks for them


def looks(strips: list[Strip]) -> list[list[tuple[str, str]]]:
    return [[(segment.text, str(segment.style)) for segment in strip] for strip in strips]


async def test_a_step_draws_the_unchanged_panes_from_their_kept_lines(app_recordings, monkeypatch) -> None:
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"jjjjj")  # the details have grown to their tallest: a step back lays nothing out
        await settle(pilot)
        widgets = kept_widgets(app)
        assert {type(widget).__name__ for widget in widgets} >= {
            "FileScreen",
            "StateTree",
            "DiffView",
            "KeptVertical",
            "PriorityFooter",
        }
        before = {widget: lines(widget) for widget in widgets}
        screen = file_screen(app)
        # The tree and the diff follow a step a paint later, on a timer; on a loaded machine that
        # timer can fire before the check below, so the fill is held back here and done by hand.
        fills: list[None] = []
        monkeypatch.setattr(screen, "fill_panes", lambda: fills.append(None))
        screen.frame_list.move_to(3)  # the step's own update: the tree and the diff follow it later
        await pilot.pause()
        assert screen.panes_pending
        for widget in widgets:
            assert lines(widget) is before[widget], type(widget).__name__
        monkeypatch.undo()
        screen.fill_panes()  # the held-back fill draws the tree afresh
        await settle(pilot)
        assert not screen.panes_pending
        assert lines(screen.state_tree) is not before[screen.state_tree]


async def test_what_changes_a_pane_draws_it_again(app_recordings) -> None:
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        tree, frame_pane = screen.state_tree, screen.query_one("#frame-pane")
        tree_before, pane_before = looks(lines(tree)), looks(lines(frame_pane))
        await pilot.press("j")
        await settle(pilot)  # the tree follows the step: the new frame's state
        assert looks(lines(tree)) != tree_before
        await pilot.press("2")  # the tree takes the focus: its pane's border takes the accent
        await settle(pilot)
        focused_pane = looks(lines(frame_pane))
        assert focused_pane != pane_before
        tree_focused = looks(lines(tree))
        await pilot.press("space")  # the node under the tree's cursor opens
        await settle(pilot)
        assert looks(lines(tree)) != tree_focused
        app.theme = "textual-light"
        await settle(pilot)
        assert looks(lines(frame_pane)) != focused_pane
