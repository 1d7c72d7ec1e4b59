"""Help lists every key, grouped, can be filtered; the README's key table agrees with it."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

from rich.console import Console
from textual.widgets import Input

from tests.support.app_support import file_screen, press, settle
from vcr_tui.app import VCRApp
from vcr_tui.key_help import key_help
from vcr_tui.screens.help_screen import HelpScreen

README = Path(__file__).resolve().parents[2] / "README.md"


def shown_text(app: VCRApp) -> str:
    """What the help shows now, as plain text."""
    screen = app.screen
    assert isinstance(screen, HelpScreen)
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(screen._tables(screen.query_one("#help-filter", Input).value))
    return console.export_text()


async def test_help_lists_tab_shift_tab_and_the_palette(app_recordings) -> None:
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = shown_text(app)
        for words in ("focus the next pane", "focus the previous pane", "command palette", "Every screen"):
            assert words in text
        assert "tab" in text.lower()
        assert "^p" in text.lower() or "ctrl+p" in text.lower()


async def test_typing_filters_the_help(app_recordings) -> None:
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        assert app.screen.focused is app.screen.query_one("#help-filter", Input)
        await press(pilot, *"fork")
        text = shown_text(app)
        assert "fork the run at this frame" in text and "next error frame" not in text
        await press(pilot, *"zzz")
        assert "No key matches" in shown_text(app)
        await press(pilot, "escape")
        assert not isinstance(app.screen, HelpScreen)


README_KEY = re.compile(r"`([^`]+)`")


def readme_key_table() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## The debugger")
    end = text.index("\n## ", start + 1)
    rows = [line for line in text[start:end].splitlines() if line.startswith("| `")]
    return "\n".join(rows)


NAMES = {
    "escape": "Esc",
    "enter": "Enter",
    "space": "Space",
    "home": "Home",
    "end": "End",
    "tab": "Tab",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "down": "↓",
    "up": "↑",
    "left": "←",
    "right": "→",
    "f1": "F1",
    "slash": "/",
}


def readme_spelling(binding) -> str:
    """A binding's key as the README writes it: ``Esc``, ``PgDn``, ``ctrl+z``, ``?``."""
    key = binding.key
    if key in NAMES:
        return NAMES[key]
    if "_" in key or key == "colon":
        try:
            return unicodedata.lookup(key.replace("_", " ").upper())
        except KeyError:
            return key
    return key


async def test_every_documented_key_of_the_debugger_is_in_the_readme_table(app_recordings) -> None:
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        table = readme_key_table()
        written = set(README_KEY.findall(table))
        missing = []
        for node in (screen.frame_list, screen.state_tree, screen.diff_view, screen):
            for entry in key_help(node, readme_spelling):
                if not any(key in written for key in entry.keys):
                    missing.append(f"{entry.binding_id} ({' '.join(entry.keys)}: {entry.description})")
        assert not missing, "keys in the help but not in the README's table:\n" + "\n".join(missing)
