"""``e`` and ``E`` in the app: a real scripted ``$EDITOR``, the built-in editor, and what each leaves.

In a headless app the terminal cannot be handed over, so these tests let the app run the
scripted editor as it is (``RUN_EDITOR_WITHOUT_SUSPEND``): the same subprocess, minus the
suspend. The suspend itself is exercised by the tmux test of the demo.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import TextArea

from tests.support.app_support import SIZE, dialog, diff_text, file_screen, notifications, press, settle
from tests.support.editor_scripts import (
    BREAK_THEN_FIX,
    FIX_FORMULA,
    GIVE_UP,
    LEAVE_ALONE,
    SET_OUTPUT_CODE,
    runs_seen,
    write_editor,
)
from vcr_tui.app import VCRApp
from vcr_tui.demo import record_demo
from vcr_tui.logic.diff_model import DiffMode
from vcr_tui.screens.debugger import state_editing
from vcr_tui.screens.json_editor_screen import JsonEditorScreen

FIXED = "(f - 32) * 5 / 9"
WRONG = "(f - 32) * 9 / 5"


@pytest.fixture(autouse=True)
def no_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCR_DEMO_DELAY", "0")
    monkeypatch.delenv("VISUAL", raising=False)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return record_demo(tmp_path / "runs")


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Use a scripted editor through $EDITOR; returns a function that installs one."""
    monkeypatch.setattr(state_editing, "RUN_EDITOR_WITHOUT_SUSPEND", True)

    def install(body: str, *args: str) -> Path:
        command, log = write_editor(tmp_path, "editor", body, *args)
        monkeypatch.setenv("EDITOR", command)
        return log

    return install


async def test_e_with_an_editor_taking_arguments_edits_the_input_in_memory_only(demo: Path, scripted) -> None:
    log = scripted(FIX_FORMULA, "--wait")
    before = demo.read_bytes()
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j", "e")
        screen = file_screen(app)
        assert screen.edited_states[(2, "input")]["formula"] == FIXED
        assert 2 in screen.frame_list.edited
        assert screen.side == "input" and screen.diff_mode is DiffMode.EDITED
        assert "edited ✎" in str(screen.query_one("#frame-pane").border_title)
        text = diff_text(app)
        assert "#2 input as recorded → edited" in text and "$.formula" in text and FIXED in text
        assert "Edited the input of #2" in notifications(app)
        assert "--wait" in log.read_text()
    assert demo.read_bytes() == before  # the recording is evidence: never touched


async def test_an_editor_that_changes_nothing_marks_nothing(demo: Path, scripted) -> None:
    scripted(LEAVE_ALONE)
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j", "e")
        screen = file_screen(app)
        assert screen.edited_states == {} and screen.frame_list.edited == set()
        assert screen.diff_mode is DiffMode.STEP
        assert "No change to the input of #2" in notifications(app)


async def test_invalid_json_asks_with_line_and_column_and_editing_again_keeps_the_typing(demo: Path, scripted) -> None:
    log = scripted(BREAK_THEN_FIX)
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j", "e")
        question = dialog(app).shown_text
        assert "Not valid JSON" in question and "line 9, column 10: Expecting ':' delimiter" in question
        assert '"plan" [' in question and "edit again" in question
        assert file_screen_below(app).edited_states == {}

        await press(pilot, "e")  # edit again: the same file, with what was typed
        seen = runs_seen(log)
        assert len(seen) == 2 and FIXED in seen[1] and '"plan" [' in seen[1]
        screen = file_screen(app)
        assert screen.edited_states[(2, "input")]["formula"] == FIXED
        assert screen.edited_states[(2, "input")]["plan"][0].startswith("implement")


async def test_invalid_json_can_be_discarded(demo: Path, scripted) -> None:
    scripted(BREAK_THEN_FIX)
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j", "e")
        dialog(app)
        await press(pilot, "escape")
        screen = file_screen(app)
        assert screen.edited_states == {} and "Edit discarded" in notifications(app)
        assert screen.view.editing.draft is None


async def test_an_editor_that_exits_non_zero_asks_before_applying(demo: Path, scripted) -> None:
    scripted(GIVE_UP)
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j", "e")
        assert "ended with status 1" in dialog(app).shown_text
        await press(pilot, "a")
        assert file_screen(app).edited_states[(2, "input")]["formula"] == FIXED


async def test_E_edits_the_output_and_editing_back_to_the_recording_removes_the_edit(
    demo: Path, scripted, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    scripted(SET_OUTPUT_CODE)
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j", "E")
        screen = file_screen(app)
        assert screen.edited_states[(2, "output")]["code"].endswith("return 0\n")
        assert screen.side == "output" and "$.code" in diff_text(app)
        await press(pilot, "i")  # the input is not edited: the diff says so
        assert "The output of #2 is edited, not its input" in diff_text(app)

        original = screen.current.output_state  # type: ignore[union-attr]
        restore, _ = write_editor(tmp_path, "restore", f"path.write_text(json.dumps({original!r}))")
        monkeypatch.setenv("EDITOR", restore)
        await press(pilot, "E")
        assert screen.edited_states == {} and 2 not in screen.frame_list.edited
        assert "recorded one again" in notifications(app)


async def built_in_editor_on_frame_2(pilot) -> JsonEditorScreen:
    """``j j e`` once the app has settled: the built-in editor on #2's input."""
    await settle(pilot)
    await press(pilot, "j", "j", "e")
    editor = pilot.app.screen
    assert isinstance(editor, JsonEditorScreen)
    return editor


async def test_the_built_in_editor_saves_valid_json_and_shows_where_invalid_json_breaks(demo: Path) -> None:
    app = VCRApp(demo)  # headless: no terminal to hand over, so the built-in editor opens
    async with app.run_test(size=SIZE) as pilot:
        editor = await built_in_editor_on_frame_2(pilot)
        area = editor.query_one(TextArea)
        assert WRONG in area.text
        area.text = area.text.replace(WRONG, FIXED).replace('"tests": [', '"tests" [')
        await press(pilot, "ctrl+s")
        assert app.screen is editor  # not saved: the error is shown, the cursor on it
        assert editor.error is not None and editor.error.line == 4
        assert "line 4, column 11" in str(editor.query_one("#editor-message").render())
        assert area.cursor_location == (3, 10)

        area.text = area.text.replace('"tests" [', '"tests": [')
        await press(pilot, "ctrl+s")
        screen = file_screen(app)
        assert screen.edited_states[(2, "input")]["formula"] == FIXED
        assert 2 in screen.frame_list.edited


async def test_the_built_in_editor_drops_its_not_valid_message_once_the_json_is_mended(demo: Path) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        editor = await built_in_editor_on_frame_2(pilot)
        area = editor.query_one(TextArea)
        area.text = area.text.replace('"tests": [', '"tests" [')
        await press(pilot, "ctrl+s")
        message = editor.query_one("#editor-message")
        assert "Not valid" in str(message.render())
        await press(pilot, "x")  # still broken: the message stays
        assert "Not valid" in str(message.render()) and editor.error is not None
        await press(pilot, "backspace", "colon")  # typed where the cursor was put: the missing ':'
        assert '"tests" :[' in area.text
        shown = str(message.render())
        assert "Not valid" not in shown and "Valid JSON" in shown and editor.error is None
        await press(pilot, "ctrl+s")  # saved: the same state as recorded, so nothing is marked edited
        assert file_screen(app).edited_states == {}


async def test_the_built_in_editor_asks_before_throwing_typing_away(demo: Path) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        editor = await built_in_editor_on_frame_2(pilot)
        editor.query_one(TextArea).text = "{}"
        await press(pilot, "escape")
        assert app.screen is editor and "esc again" in str(editor.query_one("#editor-message").render())
        await press(pilot, "escape")
        screen = file_screen(app)
        assert screen.edited_states == {} and "Edit cancelled" in notifications(app)


async def test_an_editor_that_is_not_installed_falls_back_to_the_built_in_one(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state_editing, "RUN_EDITOR_WITHOUT_SUSPEND", True)
    monkeypatch.setenv("EDITOR", "no-such-editor-4711 --wait")
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "e")
        editor = app.screen
        assert isinstance(editor, JsonEditorScreen)
        message = str(editor.query_one("#editor-message").render())
        assert "no-such-editor-4711" in message and "editing here instead" in message


async def test_d_cycles_through_edited_vs_recorded_only_once_something_is_edited(demo: Path, scripted) -> None:
    scripted(FIX_FORMULA)
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        await press(pilot, "d", "d", "d")
        assert screen.diff_mode is DiffMode.STEP
        await press(pilot, "j", "j", "e")
        assert screen.diff_mode is DiffMode.EDITED
        await press(pilot, "d")
        assert screen.diff_mode is DiffMode.STEP
        await press(pilot, "d", "d", "d", "k")
        assert screen.diff_mode is DiffMode.EDITED
        assert "#1 is not edited: e edits its input, E its output." in diff_text(app)


def file_screen_below(app: VCRApp):
    """The file screen under an open dialog."""
    return app.screen_stack[-2]
