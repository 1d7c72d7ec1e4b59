"""The footer shows whole entries: at 80 columns the ones that do not fit are left out, not cut."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from tests.support.app_support import settle, wait_until
from vcr_tui.app import VCRApp
from vcr_tui.widgets.priority_footer import PriorityFooter, fitting


def test_entries_are_kept_in_order_while_they_fit() -> None:
    entries = [("?", "help"), ("/", "search"), ("d", "diff mode")]
    assert fitting(entries, 80, 0) == 3
    assert fitting(entries, 16, 0) == 2  # "? help " and "/ search ": 16 cells
    assert fitting(entries, 15, 0) == 1
    assert fitting(entries, 80, 73) == 1


@pytest.mark.parametrize("size", [(80, 24), (120, 35)])
async def test_no_entry_is_cut_at_the_edge(app_recordings, size: tuple[int, int]) -> None:
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(PriorityFooter)
        await wait_until(pilot, lambda: bool(footer.query(FooterKey)), "the footer's entries")
        await settle(pilot)
        keys = list(footer.query(FooterKey))
        palette = [key for key in keys if key.has_class("-command-palette")]
        assert palette, "the palette entry is always shown"
        edge = palette[0].region.x
        for key in keys:
            if key in palette:
                continue
            assert key.region.right <= edge, (key.description, key.region, edge)
            assert key.region.width >= len(key.key_display) + 1 + len(key.description)  # whole
        if size[0] == 80:
            assert len(keys) - 1 < 12  # some entries were left out, whole
