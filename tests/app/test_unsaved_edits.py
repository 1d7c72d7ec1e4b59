"""Edits are never lost silently: kept per recording for the app session, asked about on leaving.

The edits are made in the built-in editor (a headless app has no terminal to hand over), on
recordings of a folder opened from its session list, as a user does.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import TextArea

from recorder import VCRReader
from tests.support.app_support import SIZE, dialog, file_screen, press, recordings_in, settle, wait_until
from vcr_tui.app import VCRApp
from vcr_tui.screens.directory_screen import DirectoryScreen
from vcr_tui.screens.json_editor_screen import JsonEditorScreen

EDITED = '{"m": 41}'


async def open_and_edit(pilot, app: VCRApp) -> Path:
    """Open the selected session, edit the input of #1; the recording's path."""
    await settle(pilot)
    await press(pilot, "enter")
    screen = file_screen(app)
    await settle(pilot)
    await press(pilot, "j", "e")
    editor = app.screen
    assert isinstance(editor, JsonEditorScreen)
    editor.query_one(TextArea).text = EDITED
    await press(pilot, "ctrl+s")
    assert file_screen(app).edited_states[(1, "input")] == {"m": 41}
    return Path(screen.path)


async def test_escape_with_an_edit_asks_and_keeping_shows_the_edit_again(app_recordings) -> None:
    app = VCRApp(app_recordings.sessions_folder())
    async with app.run_test(size=SIZE) as pilot:
        path = await open_and_edit(pilot, app)
        await press(pilot, "escape")
        asked = dialog(app)
        assert asked.title_text == "Unsaved edits" and "#1" in asked.body.plain
        await press(pilot, "k")
        assert isinstance(app.screen, DirectoryScreen)
        await press(pilot, "enter")
        screen = file_screen(app)
        assert Path(screen.path) == path
        await settle(pilot)
        assert screen.edited_states == {(1, "input"): {"m": 41}}
        assert 1 in screen.frame_list.edited


async def test_staying_and_discarding_from_the_question(app_recordings) -> None:
    app = VCRApp(app_recordings.sessions_folder())
    async with app.run_test(size=SIZE) as pilot:
        await open_and_edit(pilot, app)
        await press(pilot, "escape")
        await press(pilot, "escape")  # stay here
        screen = file_screen(app)
        assert screen.edited_states
        await press(pilot, "escape")
        await press(pilot, "d")
        assert isinstance(app.screen, DirectoryScreen)
        await press(pilot, "enter")
        await settle(pilot)
        assert file_screen(app).edited_states == {}
        await press(pilot, "escape")  # nothing left to ask about: straight back
        assert isinstance(app.screen, DirectoryScreen)


async def test_quit_with_an_edit_asks_and_cancel_keeps_running(app_recordings) -> None:
    app = VCRApp(app_recordings.sessions_folder())
    async with app.run_test(size=SIZE) as pilot:
        await open_and_edit(pilot, app)
        await press(pilot, "q")
        asked = dialog(app)
        assert asked.title_text == "Quit vcr-tui?" and "quitting loses them" in asked.body.plain
        await press(pilot, "escape")
        assert file_screen(app).edited_states
        await press(pilot, "escape", "k", "q")  # from the session list too: the edit is still unsaved
        assert dialog(app).title_text == "Quit vcr-tui?"
        await press(pilot, "d")
        await wait_until(pilot, lambda: not app.is_running, "the app to exit")


async def test_quit_can_fork_the_edits_first(app_recordings) -> None:
    folder = app_recordings.sessions_folder()
    before = set(recordings_in(folder))
    app = VCRApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        path = await open_and_edit(pilot, app)
        await press(pilot, "q", "f")
        await wait_until(pilot, lambda: not app.is_running, "the app to exit after forking")
    (fork,) = set(recordings_in(folder)) - before
    assert app.farewell == [f"vcr-tui: #1 forked into {fork}"]
    reader = VCRReader(fork)
    assert reader.session.parent_session_id == VCRReader(path).session.session_id
    starts = [reader.frame(i) for i in range(len(reader)) if reader.frame(i).node_name.startswith("fork:")]
    assert starts and starts[0].output_state == {"m": 41}  # the fork starts from the edited input


async def test_an_edit_taken_by_a_fork_is_saved(app_recordings) -> None:
    app = VCRApp(app_recordings.sessions_folder())
    async with app.run_test(size=SIZE) as pilot:
        await open_and_edit(pilot, app)
        await press(pilot, "f")
        await wait_until(pilot, lambda: app.screen.__class__.__name__ == "ChoiceScreen", "the fork dialog")
        await press(pilot, "s")  # stay here
        await press(pilot, "escape")
        assert isinstance(app.screen, DirectoryScreen)  # nothing unsaved: no question
        await press(pilot, "q")
        await wait_until(pilot, lambda: not app.is_running, "the app to exit")


async def test_escape_on_a_file_opened_by_path_shows_its_folder(app_recordings) -> None:
    folder = app_recordings.sessions_folder()
    app = VCRApp(folder / "run-2.vcr")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "escape")
        sessions = app.screen
        assert isinstance(sessions, DirectoryScreen) and sessions.folder == folder.absolute()
        await wait_until(pilot, lambda: len(sessions.ordered) >= 4, "the folder's sessions")
        await press(pilot, "q")
        await wait_until(pilot, lambda: not app.is_running, "the app to exit")
