"""Opening things: files, folders, nothing, bad paths, broken files, big states, peer samples."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from recorder import VCRReader
from tests.support.app_support import assert_showing, diff_text, settle
from tests.support.cli_support import assert_one_line_failure, run_cli
from vcr_tui.app import VCRApp
from vcr_tui.cli import resolve_target
from vcr_tui.screens.debugger.file_screen import FileScreen
from vcr_tui.screens.directory_screen import DirectoryScreen, SessionTable
from vcr_tui.screens.error_screen import ErrorScreen
from vcr_tui.screens.problems_screen import ProblemsScreen
from vcr_tui.widgets.frame_list import FrameList
from vcr_tui.widgets.state_tree import StateTree
from vcr_tui.widgets.status_line import StatusLine

SIZE = (120, 40)
SHARED = Path(__file__).resolve().parents[3] / "shared"
PEER_SAMPLES = sorted((SHARED / "fixtures" / "peer").glob("*.vcr"))
SAMPLE = Path(__file__).resolve().parents[2] / "vcr_tui" / "samples" / "sample.vcr"


# -- the command line ------------------------------------------------------------------------------


def test_missing_path_exits_2_with_one_line(tmp_path: Path) -> None:
    assert_one_line_failure(run_cli("nope.vcr", cwd=tmp_path), "no such file or folder", "nope.vcr")


def test_path_through_a_file_exits_2(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x")
    assert_one_line_failure(run_cli("plain/run.vcr", cwd=tmp_path), "plain/run.vcr")


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.vcr")
    assert_one_line_failure(run_cli("pipe.vcr", cwd=tmp_path), "not a regular file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file_exits_2(tmp_path: Path) -> None:
    locked = tmp_path / "locked.vcr"
    locked.write_text("{}\n")
    locked.chmod(0)
    assert_one_line_failure(run_cli("locked.vcr", cwd=tmp_path), "permission")


def test_no_argument_without_dot_vcr_says_how_to_start(tmp_path: Path) -> None:
    assert_one_line_failure(run_cli(cwd=tmp_path), "nothing to open", "vcr-tui run.vcr", ".vcr")


def test_no_argument_opens_dot_vcr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".vcr").mkdir()
    monkeypatch.chdir(tmp_path)
    assert resolve_target(None) == Path(".vcr")


def test_version_and_help(tmp_path: Path) -> None:
    version = run_cli("--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("vcr-tui, version ")
    usage = run_cli("--help", cwd=tmp_path)
    assert usage.returncode == 0 and "vcr-tui run.vcr" in usage.stdout


# -- bad input inside the app -----------------------------------------------------------------------


async def test_a_file_gone_before_it_is_read_shows_why_and_quits_with_2(tmp_path: Path) -> None:
    app = VCRApp(tmp_path / "vanished.vcr")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ErrorScreen)
        assert "no such recording" in app.screen.message
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 2
    assert app.failure is not None and "vanished.vcr" in app.failure


async def test_skipped_lines_open_with_a_warning(app_recordings) -> None:
    app = VCRApp(app_recordings.with_problems())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        problems = app.screen.problems
        assert [problem.line for problem in problems] == [3, 5, 6]
        assert "invalid JSON" in problems[0].reason
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FileScreen)
        assert len(screen.store) == 3
        assert "3 lines skipped" in screen.query_one(StatusLine).render().plain
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, FileScreen)


async def test_an_empty_file_opens_and_says_it_has_no_frames(tmp_path: Path) -> None:
    empty = tmp_path / "empty.vcr"
    empty.write_bytes(b"")
    app = VCRApp(empty)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if isinstance(app.screen, ProblemsScreen):  # "no session header"
            await pilot.press("escape")
            await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FileScreen)
        for key in ("j", "k", "G", "g", "right_square_bracket", "y", "i", "d", "m"):
            await pilot.press(key)
        await settle(pilot)
        assert "no frames" in screen.query_one(StatusLine).render().plain
        assert screen.query_one(FrameList).frame_count == 0


async def test_a_one_megabyte_state_loads_off_the_ui_thread(app_recordings) -> None:
    app = VCRApp(app_recordings.big_state())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        assert_showing(app, 1)
        tree = app.screen.query_one(StateTree)
        assert [node.data.path for node in tree.root.children] == [("rows",)]
        await pilot.press("i")
        await settle(pilot)
        labels = [str(node.label) for node in tree.root.children]
        assert labels[1].startswith('blob: "yyyy') and "200,000 chars" in labels[1]
        assert "1 change" in diff_text(app) and "changed" in diff_text(app)
        # two quick steps: only the last frame's diff is shown
        await pilot.press("k", "j", "j")
        await settle(pilot)
        assert_showing(app, 2)


async def test_a_diff_mode_file_shows_rebuilt_states(app_recordings) -> None:
    app = VCRApp(app_recordings.diff_mode())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("G")
        await settle(pilot)
        assert_showing(app, 2)
        tree = app.screen.query_one(StateTree)
        assert [node.data.path[0] for node in tree.root.children] == ["b", "c"]
        assert "- $.a" in diff_text(app)


# -- folders ----------------------------------------------------------------------------------------


async def test_a_folder_lists_sessions_with_forks_under_parents(app_recordings) -> None:
    app = VCRApp(app_recordings.sessions_folder())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DirectoryScreen)
        order = [(entry.session_id, entry.depth) for entry in screen.ordered]
        assert order == [("run-2", 0), ("run-1", 0), ("run-1-fork", 1), ("run-1-fork-b", 2), ("empty", 0)]
        table = screen.query_one(SessionTable)
        row = [cell.plain.strip() for cell in table.get_row_at(2)]
        assert row[0].strip().endswith("run-1-fork") and row[2] == "3" and row[7] == "run-1 @#4"
        assert [cell.plain.strip() for cell in table.get_row_at(0)][3:7] == ["30", "$0.0005", "unfinished", "demo"]
        await pilot.press("j", "j", "enter")
        await settle(pilot)
        opened = app.screen
        assert isinstance(opened, FileScreen)
        assert opened.path.name == "run-1-fork.vcr"
        assert opened.query_one(FrameList).frame_count == 3
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert screen.query_one(SessionTable).cursor_row == 2


async def test_an_empty_folder_says_how_to_fill_it(tmp_path: Path) -> None:
    app = VCRApp(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        note = app.screen.query_one("#sessions-note")
        assert note.display
        assert "No .vcr recordings" in str(note.render())


# -- real files from elsewhere ------------------------------------------------------------------------


@pytest.mark.skipif(not PEER_SAMPLES, reason=f"no peer samples at {SHARED / 'fixtures' / 'peer'}")
@pytest.mark.parametrize("sample", PEER_SAMPLES, ids=lambda path: path.name)
async def test_opens_each_peer_sample(sample: Path) -> None:
    expected = len(VCRReader(sample))
    app = VCRApp(sample)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if isinstance(app.screen, ProblemsScreen):
            await pilot.press("escape")
            await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FileScreen)
        assert screen.query_one(FrameList).frame_count == expected > 0
        assert_showing(app, 0)
        await pilot.press("G")
        await settle(pilot)
        assert_showing(app, expected - 1)


async def test_opens_the_shipped_sample() -> None:
    app = VCRApp(SAMPLE)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FileScreen), "the shipped sample must open without warnings"
        assert screen.query_one(FrameList).frame_count == 13
        assert len(screen.errors) == 2  # the failed tool call and the error frame
