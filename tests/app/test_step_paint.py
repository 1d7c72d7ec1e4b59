"""What a step draws: the details and the status line from their own lines, looking as before.

The frame's details and the status line are repainted on every press of ``j``; they draw their
lines straight from Rich text (``widgets.text_strips``) instead of through Textual's visual
pipeline. These tests hold that shortcut to the pipeline's own output, cell for cell and style
for style, in both themes, and check that a mouse drag over the details still selects their
text (Textual finds where a drag starts from the offsets the drawn lines carry).
"""

from __future__ import annotations

import re
from dataclasses import replace

from rich.segment import Segment
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from tests.support.app_support import SIZE, file_screen, settle
from vcr_tui.app import VCRApp
from vcr_tui.widgets.frame_details import FrameDetails
from vcr_tui.widgets.status_line import StatusLine


def looks(strip: Strip) -> list[tuple[str, object]]:
    """The strip as cells and styles (colours and attributes, as a terminal shows them), one per cell."""
    return [(character, str(segment.style)) for segment in strip for character in segment.text]


def screen_cells(svg: str) -> str:
    """An exported screen without the ids each export gives its elements."""
    return re.sub(r"terminal-\d+", "terminal", svg)


def pipeline_lines(widget: Widget) -> list[Strip]:
    """The widget's lines as Textual's visual pipeline draws them (what ``render()`` alone gives)."""
    return [Widget.render_line(widget, y) for y in range(widget.size.height)]


def own_lines(widget: Widget) -> list[Strip]:
    return [widget.render_line(y) for y in range(widget.size.height)]


def offsets(strip: Strip) -> list[object]:
    return [segment.style.meta.get("offset") for segment in strip if isinstance(segment, Segment) and segment.style]


async def assert_drawn_as_the_pipeline_draws(app: VCRApp) -> None:
    screen = file_screen(app)
    for widget in (screen.query_one(FrameDetails), screen.query_one(StatusLine)):
        widget.refresh()  # the pipeline's cache is drawn afresh
        ours, theirs = own_lines(widget), pipeline_lines(widget)
        assert [looks(strip) for strip in ours] == [looks(strip) for strip in theirs], type(widget).__name__
        assert [offsets(strip) for strip in ours] == [offsets(strip) for strip in theirs], type(widget).__name__


async def test_the_details_and_the_status_line_look_as_the_visual_pipeline_draws_them(app_recordings) -> None:
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(3):
            await pilot.press("j")
            await settle(pilot)
            await assert_drawn_as_the_pipeline_draws(app)
        app.theme = "textual-light"
        await settle(pilot)
        await assert_drawn_as_the_pipeline_draws(app)


async def test_a_drag_over_the_details_selects_their_text(app_recordings) -> None:
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        details = file_screen(app).query_one(FrameDetails)
        first_line = details.render().plain.split("\n")[0]
        await pilot.mouse_down(details, offset=(0, 0))
        await pilot.hover(details, offset=(10, 0))
        await pilot.mouse_up(details, offset=(10, 0))
        await settle(pilot)
        selected = app.screen.get_selected_text()
        assert selected is not None and selected.strip()
        assert first_line.startswith(selected.rstrip())
        # While the selection is shown the details draw its highlight; once it is cleared, their own lines.
        assert details.text_selection is not None
        highlighted = looks(own_lines(details)[0])
        app.screen.clear_selection()
        await settle(pilot)
        assert details.text_selection is None
        plain = looks(own_lines(details)[0])
        assert highlighted != plain
        assert plain == looks(pipeline_lines(details)[0])


async def test_a_step_repaints_only_the_rows_of_the_details_it_changes(app_recordings) -> None:
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        details = file_screen(app).query_one(FrameDetails)
        shown = details.frame
        assert shown is not None
        repainted: list[tuple[Region, ...]] = []
        real_refresh = details.refresh

        def noted_refresh(*regions: Region, **options: bool) -> FrameDetails:
            repainted.append(regions)
            return real_refresh(*regions, **options)

        details.refresh = noted_refresh  # type: ignore[method-assign]
        details.show_frame(replace(shown, frame_id="another-id"))  # only the row of its id differs
        await settle(pilot)
        rows = [line.plain for line in details.lines_for(details.size.width)]
        id_row = next(y for y, line in enumerate(rows) if "another-id" in line)
        assert repainted == [(Region(0, id_row, details.size.width, 1),)]
        repainted.clear()
        details.show_frame(replace(shown, frame_id="another-id"))  # a block already drawn: nothing to repaint
        assert repainted == []
        details.refresh = real_refresh  # type: ignore[method-assign]
        partly = app.export_screenshot()
        details.refresh()  # every row drawn afresh: the screen is the same
        await settle(pilot)
        assert screen_cells(app.export_screenshot()) == screen_cells(partly)
