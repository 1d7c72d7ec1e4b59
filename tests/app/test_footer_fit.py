"""The footer shows whole entries: at 80 columns the ones that do not fit are left out, not cut;
and it rebuilds its entries only when what it shows changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widget import Widget

from tests.support.app_support import settle, wait_until
from tests.support.vcr_lines import frame, header
from vcr_tui.app import VCRApp
from vcr_tui.screens.directory_screen import DirectoryScreen
from vcr_tui.widgets.priority_footer import PriorityFooter, fitting, is_key


def footer_keys(footer: PriorityFooter) -> list[Widget]:
    """The footer's entries, found by their Textual type name (the class is not exported)."""
    keys = list(footer.query("FooterKey"))
    assert all(is_key(key) for key in keys)
    return keys


def described(keys: list[Widget]) -> list[str]:
    return [getattr(key, "description", "") for key in keys]


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
        await wait_until(pilot, lambda: bool(footer_keys(footer)), "the footer's entries")
        await settle(pilot)
        keys = footer_keys(footer)
        palette = [key for key in keys if key.has_class("-command-palette")]
        assert palette, "the palette entry is always shown"
        edge = palette[0].region.x
        for key in keys:
            if key in palette:
                continue
            assert key.region.right <= edge, (key.description, key.region, edge)
            shown, words = getattr(key, "key_display", ""), getattr(key, "description", "")
            assert key.region.width >= len(shown) + 1 + len(words)  # whole
        if size[0] == 80:
            assert len(keys) - 1 < 12  # some entries were left out, whole


def folder_of_runs(folder: Path, count: int) -> Path:
    for number in range(count):
        run = f"run-{number}"
        (folder / f"{run}.vcr").write_bytes(header(run) + frame("a", 0) + header(run, frame_count=1))
    return folder


async def test_the_entries_are_built_once_for_a_folder_and_again_only_when_they_change(tmp_path: Path) -> None:
    app = VCRApp(folder_of_runs(tmp_path, 30))
    async with app.run_test(size=(120, 35)) as pilot:
        footer = app.screen.query_one(PriorityFooter)
        await wait_until(pilot, lambda: bool(footer_keys(footer)), "the footer's entries")
        first = footer_keys(footer)  # built as the screen came up, before the list was filled
        screen = app.screen
        assert isinstance(screen, DirectoryScreen)
        await wait_until(pilot, lambda: screen.scan_done and screen.table.row_count == 30, "the whole list")
        for _ in range(5):  # the screen says its bindings may have changed; they have not
            screen.refresh_bindings()
            await pilot.pause()
        await settle(pilot)
        keys = footer_keys(footer)
        assert described(keys) == ["open session", "filter", "sort", "mark", "compare", "help", "quit", "palette"]
        assert all(now is then for now, then in zip(keys, first, strict=True)), "rebuilt for the same keys"

        await pilot.resize_terminal(60, 35)  # a width that fits fewer: rebuilt, whole entries only
        await settle(pilot)
        narrow = footer_keys(footer)
        assert described(narrow)[-1] == "palette" and len(narrow) < len(keys)
        assert not set(map(id, narrow)) & set(map(id, keys))

        await pilot.resize_terminal(120, 35)
        await pilot.press("slash")  # typing a filter: the table's own keys are no longer offered
        await settle(pilot)
        assert "open session" not in described(footer_keys(footer))
