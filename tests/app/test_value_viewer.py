"""Long values are readable: rows use the pane's width, and a value opens whole in a viewer."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.app_support import file_screen, press, settle
from tests.support.vcr_lines import frame, header
from vcr_tui.app import VCRApp
from vcr_tui.screens.value_viewer_screen import ValueViewerScreen, viewer_text

NOTE = "the deploy failed because the staging database refused the new migration"
QUESTION = "How do I make the nightly export skip the archived projects without breaking the report?"
STORY = "\n".join(f"line {n}: more of the agent's long answer" for n in range(1, 30))


@pytest.fixture
def recording(tmp_path: Path) -> Path:
    state = {
        "note": NOTE,
        "count": 3,
        "messages": [{"role": "user", "content": QUESTION}],
        "story": STORY,
    }
    path = tmp_path / "values.vcr"
    path.write_bytes(header() + frame("answer", input_state=state, output_state=state))
    return path


def label_of(app: VCRApp, *path: object) -> str:
    return file_screen(app).state_tree._by_path[path].label.plain  # type: ignore[index]


async def put_cursor(app: VCRApp, pilot, *path: object) -> None:
    tree = file_screen(app).state_tree
    tree.focus()
    await settle(pilot)
    node = tree._by_path[path]  # type: ignore[index]
    tree.cursor_line = node.line
    await settle(pilot)


async def test_rows_use_the_width_of_the_pane(recording: Path) -> None:
    app = VCRApp(recording)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        assert NOTE in label_of(app, "note")
        await press(pilot, "2")
        await put_cursor(app, pilot, "messages")
        await press(pilot, "l")
        assert f"user: {QUESTION}" in label_of(app, "messages", 0)
    app = VCRApp(recording)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = label_of(app, "note")
        assert len(NOTE) == 72 and NOTE not in shown and "…" in shown


@pytest.mark.parametrize("key", ["enter", "space"])
async def test_a_short_value_opens_whole_in_the_viewer(recording: Path, key: str) -> None:
    app = VCRApp(recording)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await put_cursor(app, pilot, "note")
        await press(pilot, key)
        viewer = app.screen
        assert isinstance(viewer, ValueViewerScreen)
        assert viewer.value == NOTE and viewer.path_text == "$.note"
        await press(pilot, "y")
        assert app.clipboard == NOTE
        await press(pilot, "Y")
        assert app.clipboard == "$.note"
        await press(pilot, "escape")
        assert file_screen(app).state_tree.has_focus


async def test_enter_on_a_long_string_or_a_message_opens_the_viewer(recording: Path) -> None:
    app = VCRApp(recording)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await put_cursor(app, pilot, "story")
        await press(pilot, "enter")
        assert isinstance(app.screen, ValueViewerScreen) and app.screen.value == STORY
        await press(pilot, "escape")
        await put_cursor(app, pilot, "messages")
        await press(pilot, "l")
        await put_cursor(app, pilot, "messages", 0)
        await press(pilot, "enter")
        viewer = app.screen
        assert isinstance(viewer, ValueViewerScreen) and viewer.path_text == "$.messages[0]"
        assert viewer_text(viewer.value).plain == f"user\n{QUESTION}"


def test_the_viewer_never_passes_control_characters_to_the_terminal() -> None:
    shown = viewer_text("bell \x07 and escape \x1b[31m red").plain
    assert "\x07" not in shown and "\x1b" not in shown
