"""Characters that draw nothing or reorder a line are shown as escapes, so no name can be spoofed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.app_support import settle
from tests.support.vcr_lines import frame, header
from vcr_tui.app import VCRApp
from vcr_tui.logic.editing import parse_state_text, state_as_text
from vcr_tui.logic.safe_text import clean

HIDDEN = {
    "\u200b": "\\u200b",  # zero-width space
    "\u200c": "\\u200c",  # zero-width non-joiner
    "\u200d": "\\u200d",  # zero-width joiner
    "\u2060": "\\u2060",  # word joiner
    "\ufeff": "\\ufeff",  # zero-width no-break space (BOM)
    "\u00ad": "\\u00ad",  # soft hyphen
    "\u2028": "\\u2028",  # line separator
    "\u202e": "\\u202e",  # right-to-left override
    "\u2067": "\\u2067",  # right-to-left isolate
    "\U000e0072": "\\U000e0072",  # a tag character: invisible ASCII
}


@pytest.mark.parametrize("character", sorted(HIDDEN))
def test_each_hidden_character_is_shown_as_its_escape(character: str) -> None:
    assert clean(f"tool:rm{character}") == f"tool:rm{HIDDEN[character]}"
    assert clean(f"a{character}b", multiline=True) == f"a{HIDDEN[character]}b"


def test_visible_text_is_left_alone() -> None:
    text = "naïve café – 日本語 👍 Ωmega"
    assert clean(text) == text


def test_the_editor_gets_escapes_and_gives_the_characters_back() -> None:
    state = {"node": "tool:rm\u200b\U000e0072", "note": "\u202eevil"}
    text = state_as_text(state)
    assert "\u200b" not in text and "\U000e0072" not in text and "\u202e" not in text
    assert parse_state_text(text) == state


async def test_a_spoofed_node_name_is_told_apart_on_screen(tmp_path: Path) -> None:
    path = tmp_path / "spoof.vcr"
    path.write_bytes(header() + frame("tool:rm", 0) + frame("tool:rm\u200b", 1))
    app = VCRApp(path)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        svg = app.export_screenshot()
        assert "\u200b" not in svg
        assert "tool:rm\\u200b" in svg
