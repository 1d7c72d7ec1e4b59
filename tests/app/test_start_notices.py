"""What the app says on its own screen instead of staying silent: a keymap's mistakes on start,
and ``ctrl+z`` when there is nothing to undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from tests.app.test_app_workspace import RecordedRun, open_at, run  # noqa: F401  (the run fixture)
from tests.support.acid_support import (
    git_home_fixture,  # noqa: F401  (the git_home fixture)
    repo_fixture,  # noqa: F401  (the repo fixture)
    tree_state,
)
from tests.support.app_support import file_screen, notifications, press, settle
from vcr_tui.app import VCRApp
from vcr_tui.cli import user_keymap
from vcr_tui.keys import documented_bindings
from vcr_tui.screens.debugger.file_screen import FileScreen

SIZE = (120, 35)


@pytest.fixture
def keymap_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "keymap.toml"
    path.write_text(
        "# my keys\n"
        'file.next-error = "ctrl+e"\n'
        "file.follow = F\n"  # line 3: no quotes
        'file.nope = "x"\n'  # line 4: no such id
        'file.mark = "n"\n'  # line 5: n is "next match" on the same screen: it is taken from it
        'file.problems = "x"\n'  # lines 6 and 7: one key for two commands
        'file.copy-path = "x"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("VCR_TUI_KEYMAP", str(path))
    return path


async def test_keymap_mistakes_are_shown_on_start_and_the_defaults_kept(app_recordings, keymap_file: Path) -> None:
    app = VCRApp(app_recordings.demo(), keymap=user_keymap())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        said = notifications(app)
        assert f"{keymap_file}:3: expected" in said
        assert f"{keymap_file}:4: no command has the binding id 'file.nope'" in said
        assert f"{keymap_file}:5: 'n' now runs file.mark, no longer file.next-match" in said
        assert f"{keymap_file}:7: 'x' is given to both file.copy-path and file.problems" in said

        screen = file_screen(app)
        keys: dict[str | None, set[str]] = {}
        for binding in documented_bindings(screen, app.options.keymap):
            keys.setdefault(binding.id, set()).add(binding.key)
        assert keys["file.next-error"] == {"ctrl+e"}  # a good line is applied
        assert keys["file.mark"] == {"n"} and "file.next-match" not in keys  # as the user asked, and said
        assert keys["file.problems"] == {"w"} and keys["file.copy-path"] == {"Y"}  # both keep their defaults
        assert app.options.keymap == {"file.next-error": "ctrl+e", "file.mark": "n"}
        await press(pilot, "n")
        assert screen.frame_list.marked == 0  # n marks now

        await press(pilot, "question_mark")  # the help lists them too, once the notices are gone
        listed = str(app.screen.query_one("#help-keymap", Static).content)
        assert f"{keymap_file}:4: no command has the binding id 'file.nope'" in listed


async def test_a_clean_keymap_says_nothing(app_recordings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "keymap.toml"
    path.write_text('file.mark = "M"\n', encoding="utf-8")
    monkeypatch.setenv("VCR_TUI_KEYMAP", str(path))
    app = VCRApp(app_recordings.demo(), keymap=user_keymap())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert notifications(app) == ""
        assert app.options.keymap == {"file.mark": "M"}


async def test_ctrl_z_without_a_workspace_says_there_is_nothing_to_undo(app_recordings) -> None:
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+z")
        assert isinstance(app.screen, FileScreen)  # a notice, no dialog to close
        assert "Nothing to undo" in notifications(app)


async def test_ctrl_z_before_any_rollback_says_there_is_nothing_to_undo(run: RecordedRun) -> None:  # noqa: F811
    files = tree_state(run.repo)
    app = VCRApp(run.recording, workspace=run.repo)
    async with app.run_test(size=SIZE) as pilot:
        await open_at(pilot, 1)
        await press(pilot, "ctrl+z")
        assert isinstance(app.screen, FileScreen)
        assert "Nothing to undo: no rollback of the files is left to undo" in notifications(app)
    assert tree_state(run.repo) == files
