"""Strings from a recording are shown literally: no markup, no escape sequences reach the screen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.text import Text

from tests.support.app_support import settle
from vcr_tui.app import VCRApp
from vcr_tui.logic.safe_text import clean, safe
from vcr_tui.screens.debugger.file_screen import FileScreen
from vcr_tui.widgets.diff_view import DiffView
from vcr_tui.widgets.frame_details import FrameDetails
from vcr_tui.widgets.frame_list import FrameList
from vcr_tui.widgets.state_tree import StateTree
from vcr_tui.widgets.status_line import StatusLine

MARKUP = "[bold red]x[/] [link=http://e]click[/link]"
CONTROL_CHARACTERS = [chr(code) for code in (*range(0x20), 0x7F, *range(0x80, 0xA0), 0x202E, 0x2066)]


@pytest.mark.parametrize("character", CONTROL_CHARACTERS, ids=lambda c: f"U+{ord(c):04X}")
def test_clean_leaves_no_control_character(character: str) -> None:
    shown = clean(f"a{character}b")
    assert shown.startswith("a") and shown.endswith("b")
    assert all(ord(c) >= 0x20 and not 0x7F <= ord(c) < 0xA0 and c not in "\u202e\u2066" for c in shown)


def test_clean_shows_what_was_there() -> None:
    assert clean("\x1b]52;c;aGk=\x07") == "␛]52;c;aGk=␇"
    assert clean("over\rwrite") == "over␍write"
    assert clean("two\nlines\ttab") == "two↵lines⇥tab"
    assert clean("two\nlines", multiline=True) == "two\nlines"
    assert clean("\x9b31m") == "\\x9b31m"
    assert clean("abc\u202edef") == "abc\\u202edef"
    assert clean("plain [text] stays") == "plain [text] stays"


def test_safe_never_parses_markup() -> None:
    text = safe(MARKUP, "green")
    assert isinstance(text, Text)
    assert text.plain == MARKUP
    assert text.spans == [] and str(text.style) == "green"


def screen_text(app: VCRApp) -> list[Text]:
    """Everything the file screen shows, as Rich text, pane by pane."""
    screen = app.screen
    assert isinstance(screen, FileScreen)
    frames = screen.query_one(FrameList)
    tree = screen.query_one(StateTree)
    texts = [frames.row_text(screen.store.row(index), _columns(frames)) for index in range(frames.frame_count)]
    texts.extend(tree.render_label(node, tree.rich_style, tree.rich_style) for node in _all_nodes(tree.root))
    texts.append(screen.query_one(FrameDetails).render())
    texts.append(screen.query_one(StatusLine).render())
    texts.extend(screen.query_one(DiffView).lines)
    return texts


def _columns(frames: FrameList):
    from vcr_tui.widgets.frame_list import Columns

    return Columns(frames.scrollable_content_region.width, frames.frame_count)


def _all_nodes(node):
    for child in node.children:
        yield child
        yield from _all_nodes(child)


def assert_literal(texts: list[Text]) -> None:
    for text in texts:
        plain = text.plain
        assert not any((ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0 for c in plain), repr(plain)
        for span in text.spans:
            style = span.style
            assert not (hasattr(style, "link") and style.link), f"a link got through in {plain!r}"


async def test_hostile_file_is_shown_literally_in_every_pane(app_recordings) -> None:
    app = VCRApp(app_recordings.hostile())
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("2", "l", "j", "l", "j", "l", "1")  # open the nested values too
        await settle(pilot)
        texts = screen_text(app)
        assert_literal(texts)
        everything = "\n".join(text.plain for text in texts)
        assert "[bold red]x[/]" in everything
        assert "[link=http://e]click[/link]" in everything
        assert "␛]52;c;aGFjaw==␇" in everything
        assert "␛[31mred␍" in everything
        for key in ("j", "d", "i", "slash", "enter"):
            await pilot.press(key)
        await settle(pilot)
        assert_literal(screen_text(app))
        svg = app.export_screenshot()
        for forbidden in ("\x1b", "\x07", "\r", "\x9b", 'href="http://e"'):
            assert forbidden not in svg


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_hostile_file_in_a_real_terminal(app_recordings, tmp_path: Path) -> None:
    """The real program in tmux: literal text on screen, and no OSC 52 clipboard write gets out."""
    hostile = app_recordings.hostile()
    socket = f"vcr-test-{os.getpid()}"
    tmux = ["tmux", "-L", socket, "-f", "/dev/null"]
    command = f"{sys.executable} -c 'from vcr_tui.cli import main; main()' {hostile}; sleep 30"
    env = {**os.environ, "TERM": "xterm-256color"}
    subprocess.run([*tmux, "new-session", "-d", "-x", "160", "-y", "45", command], check=True, env=env)
    try:
        subprocess.run([*tmux, "set-option", "-g", "set-clipboard", "on"], check=True)
        screen = ""
        deadline = time.monotonic() + 120  # generous: a loaded machine starts the app slowly
        while time.monotonic() < deadline:
            screen = subprocess.run([*tmux, "capture-pane", "-p"], check=False, capture_output=True, text=True).stdout
            if "[bold red]x[/]" in screen and "␛]52;c;aGFjaw==␇" in screen:
                break  # both hostile strings painted, shown literally (the frame list may still be indexing)
            time.sleep(0.2)
        assert "[bold red]x[/]" in screen, screen
        assert "␛]52;c;aGFjaw==␇" in screen
        buffers = subprocess.run([*tmux, "list-buffers"], check=False, capture_output=True, text=True).stdout
        assert "hack" not in buffers and "aGFjaw" not in buffers
    finally:
        subprocess.run([*tmux, "kill-server"], check=False, capture_output=True)
