"""Themes: every pane takes its colours from the theme in force, and the choice is remembered.

The expected colours are read from the theme's own variables (``$text-primary``, ``$text-success``,
...) and compared with the styles of the segments the widgets really draw.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.segment import Segment
from textual.color import Color
from textual.geometry import Region
from textual.widget import Widget

from tests.support.app_support import file_screen, notifications, press, settle, wait_until
from vcr_tui.app import VCRApp
from vcr_tui.logic.settings import settings_path
from vcr_tui.widgets.diff_view import DiffView
from vcr_tui.widgets.frame_list import FrameList
from vcr_tui.widgets.status_line import StatusLine

SIZE = (120, 35)
LIGHT = "textual-light"


def drawn(widget: Widget) -> list[list[Segment]]:
    """The widget's content lines as it draws them now."""
    size = widget.content_size
    return [list(strip) for strip in widget.render_lines(Region(0, 0, size.width, size.height))]


def colour_of(segments: list[Segment], text: str) -> str:
    """The foreground colour (hex) of the first segment holding ``text``."""
    for segment in segments:
        if text in segment.text and segment.style is not None and segment.style.color is not None:
            return segment.style.color.get_truecolor().hex
    raise AssertionError(f"{text!r} not drawn in {''.join(s.text for s in segments)!r}")


def backgrounds(lines: list[list[Segment]]) -> set[str]:
    return {
        segment.style.bgcolor.get_truecolor().hex
        for line in lines
        for segment in line
        if segment.style is not None and segment.style.bgcolor is not None
    }


def variable(app: VCRApp, name: str) -> str:
    return Color.parse(app.get_css_variables()[name]).hex.lower()


def row_with(lines: list[list[Segment]], text: str) -> list[Segment]:
    for line in lines:
        if text in "".join(segment.text for segment in line):
            return line
    raise AssertionError(f"no line shows {text!r}")


async def test_switching_to_light_recolours_frame_rows_diff_lines_and_the_status_line(app_recordings) -> None:
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)  # on frame 0: a node whose diff adds keys
        frames = screen.query_one(FrameList)
        assert colour_of(row_with(drawn(frames), "llm"), "◆") == "#d787ff"  # the default theme's own look

        app.theme = LIGHT
        await settle(pilot)
        rows = drawn(frames)
        assert colour_of(row_with(rows, "llm"), "◆") == variable(app, "text-secondary")  # row 0 has the cursor
        assert colour_of(row_with(rows, "read_file"), "■") == variable(app, "text-warning")
        assert colour_of(row_with(rows, "apply_patch"), "apply_patch") == variable(app, "text-error")
        light_background = variable(app, "background")
        dark_backgrounds = {"#121212", "#1e1e1e", "#000000"}
        assert not backgrounds(rows) & dark_backgrounds
        assert light_background in backgrounds(rows)

        diff = drawn(screen.query_one(DiffView))
        assert colour_of(row_with(diff, "+ "), "+") == variable(app, "text-success")
        assert not backgrounds(diff) & dark_backgrounds

        status = screen.query_one(StatusLine)
        segments = list(status.render().render(app.console))
        assert colour_of(segments, "● node") == variable(app, "text-primary")


async def test_the_chosen_theme_is_remembered_for_the_next_start(app_recordings) -> None:
    demo = app_recordings.demo()
    first = VCRApp(demo)
    async with first.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first.theme = LIGHT
        await settle(pilot)
    assert settings_path().read_text(encoding="utf-8") == f'theme = "{LIGHT}"\n'

    second = VCRApp(demo)
    async with second.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert second.theme == LIGHT
        rows = drawn(file_screen(second).query_one(FrameList))
        assert colour_of(row_with(rows, "llm"), "◆") == variable(second, "text-secondary")
        assert "theme" not in notifications(second)


@pytest.mark.parametrize(
    ("content", "said"),
    [("theme = [", "is not valid TOML"), ("theme = 3", "theme must be a name"), ('theme = "no-such"', "not available")],
)
async def test_a_bad_settings_file_gives_a_notice_and_the_default_theme(
    app_recordings, content: str, said: str
) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        assert said in notifications(app) and str(path) in notifications(app)


async def test_a_theme_that_cannot_be_saved_is_still_used_and_says_why(app_recordings) -> None:
    settings_path().parent.parent.mkdir(parents=True, exist_ok=True)
    settings_path().parent.write_text("a file where the folder should be")
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = LIGHT
        await wait_until(pilot, lambda: "cannot remember the theme" in notifications(app), "the notice")
        assert app.theme == LIGHT


async def test_the_palettes_screenshot_works_without_a_downloads_folder(
    app_recordings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    started_in = tmp_path / "here"
    started_in.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    monkeypatch.chdir(started_in)
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        await press(pilot, *"screenshot")
        await press(pilot, "enter")
        await wait_until(pilot, lambda: list(started_in.glob("*.svg")), "the screenshot file")
        await wait_until(pilot, lambda: "Saved screenshot" in notifications(app), "the notice")
    saved = list(started_in.glob("*.svg"))
    assert len(saved) == 1 and saved[0].read_text(encoding="utf-8").startswith("<svg")
    assert str(started_in) in notifications(app)
    assert not (home / "Downloads").exists()


async def test_textual_theme_in_the_environment_wins_over_the_remembered_one(
    app_recordings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual reads ``TEXTUAL_THEME`` when it is imported; the remembered theme must not replace it."""
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('theme = "nord"\n', encoding="utf-8")
    monkeypatch.setenv("TEXTUAL_THEME", "textual-dark")
    app = VCRApp(app_recordings.demo())
    assert app.theme == "textual-dark"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
    assert path.read_text(encoding="utf-8") == 'theme = "nord"\n'  # nothing was chosen: nothing saved


async def test_the_open_help_takes_the_new_theme_too(app_recordings) -> None:
    """The help's tables hold colours resolved when they were built: a switch builds them again."""
    from textual.widgets import Static

    from vcr_tui.screens.help_screen import HelpScreen
    from vcr_tui.theme import NAME_STYLE

    def key_colour() -> str:
        tables = app.screen.query_one("#help-keys", Static).content
        segments = list(app.console.render(tables, app.console.options.update_width(100)))
        return colour_of(segments, "shift+tab")

    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        dark = key_colour()

        app.theme = LIGHT
        await settle(pilot)
        light = app.console.get_style(NAME_STYLE).color
        assert light is not None and key_colour() == light.get_truecolor().hex != dark
