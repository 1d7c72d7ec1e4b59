"""Narrow frame lists keep the node names whole: latency and tokens give way first.

At 80 columns the frame list is about 30 cells wide; the names are what tells frames apart,
so the latency column goes first, then tokens, and only then is a name cut.
"""

from __future__ import annotations

import pytest

from tests.app.test_snapshots import keys_then_settle
from tests.support.app_support import file_screen, settle
from vcr_tui.app import VCRApp
from vcr_tui.logic.frame_columns import NAME_WANT_CAP, Columns
from vcr_tui.logic.safe_text import clean

NARROW = (80, 24)


def test_latency_goes_before_tokens_and_tokens_before_the_name() -> None:
    room = 30 - (1 + 2 + 1 + 2)  # flag, a two-digit index, a space, the type glyph and a space
    short = Columns(30, 12, name_want=5)
    assert (short.latency, short.tokens) == (7, 6) and short.node == room - 13
    medium = Columns(30, 12, name_want=15)
    assert (medium.latency, medium.tokens) == (0, 6) and medium.node == room - 6
    long = Columns(30, 12, name_want=23)
    assert (long.latency, long.tokens) == (0, 0) and long.node == room
    endless = Columns(30, 12, name_want=200)  # a name past the cap is cut, the columns are gone
    assert (endless.latency, endless.tokens) == (0, 0) and endless.node == room
    assert NAME_WANT_CAP < 200


def test_a_wide_pane_keeps_every_column_whatever_the_names() -> None:
    for width in (44, 64, 100):
        wide = Columns(width, 12, name_want=200)
        plain = Columns(width, 12)
        assert (wide.latency, wide.tokens, wide.word, wide.time, wide.cost, wide.node) == (
            plain.latency,
            plain.tokens,
            plain.word,
            plain.time,
            plain.cost,
            plain.node,
        )
        assert wide.latency and wide.tokens


async def test_at_80_columns_every_node_name_is_whole(app_recordings) -> None:
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        frames = file_screen(app).frame_list
        assert frames.scrollable_content_region.width < 44
        shown = [frames.render_line(y).text for y in range(frames.frame_count)]  # as last painted
        names = [clean(frames.store.row(i).node_name) for i in range(frames.frame_count)]
        for name, line in zip(names, shown, strict=False):
            assert name in line, f"{name!r} is cut in {line!r}"
        assert not any(" ms" in line for line in shown)  # the latency column gave way


async def test_short_names_leave_the_latency_and_tokens_in_place(app_recordings) -> None:
    app = VCRApp(app_recordings.golden_served())
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        frames = file_screen(app).frame_list
        shown = [frames.render_line(y).text for y in range(frames.frame_count)]  # as last painted
        rows = [frames.store.row(i) for i in range(frames.frame_count)]
        assert max(len(row.node_name) for row in rows) <= 12
        assert any(" ms" in line for line in shown)
        for row, line in zip(rows, shown, strict=False):
            assert row.node_name in line


@pytest.mark.parametrize("size", [pytest.param(NARROW, id="80x24")])
def test_the_narrow_frame_list(snap_compare, app_recordings, size: tuple[int, int]) -> None:
    app = VCRApp(app_recordings.demo())
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle("j", "j", "j"))
