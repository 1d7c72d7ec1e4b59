"""The debugger's workspace keys on real git repositories: the ⛁ marker, ``u``, ``ctrl+z`` and ``C``.

Each recording is written by a real ``VCRRecorder`` while a real ``ACIDWorkspace`` takes savepoints
of a real repository in ``tmp_path``; the app is driven through Textual's Pilot and the files and
git state are compared before and after with the helpers of the engine's own tests.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.pilot import Pilot
from textual.widgets import Static

from recorder import VCRRecorder
from recorder.acid import ACIDWorkspace
from tests.support.acid_support import (
    git,
    git_home_fixture,  # noqa: F401  (the git_home fixture)
    git_state,
    private_refs,
    repo_fixture,  # noqa: F401  (the repo fixture)
    tree_state,
    write,
)
from tests.support.app_support import notifications, press, settle
from tests.support.cli_support import assert_one_line_failure, run_cli
from vcr_tui.app import VCRApp
from vcr_tui.screens.debugger.file_screen import FileScreen
from vcr_tui.screens.debugger.workspace_dialogs import (
    CommitDialog,
    ConfirmWorkspaceDialog,
    MessageDialog,
    RollbackDialog,
    WorkspaceDialog,
)
from vcr_tui.theme import SNAPSHOT_GLYPH
from vcr_tui.widgets.frame_details import FrameDetails
from vcr_tui.widgets.frame_list import FrameList

SESSION = "agent-run"
PLAN, GOOD, BROKEN, BAD = 0, 1, 2, 3  # the frames of the recorded run; GOOD and BAD are savepoints


@dataclass(frozen=True)
class RecordedRun:
    repo: Path
    recording: Path
    files_at_good: dict[str, tuple[str, bytes | str, bool]]
    files_at_end: dict[str, tuple[str, bytes | str, bool]]


@pytest.fixture
def run(repo: Path, tmp_path: Path) -> RecordedRun:
    """An agent run over ``repo``: plan, savepoint, break things, savepoint; the session left open."""
    recorder = VCRRecorder(tmp_path / "runs")
    recorder.start_session(session_id=SESSION)
    workspace = ACIDWorkspace(repo, recorder)
    workspace.begin()
    recorder.record_step("plan", {"task": "fix app"}, {"plan": "edit src/app.py"})
    write(repo / "src" / "app.py", "print('fixed')\n")
    workspace.savepoint({"step": 1}, "after-fix")
    files_at_good = tree_state(repo)
    write(repo / "src" / "app.py", "print('broken again')\n")
    (repo / "README.md").unlink()
    write(repo / "generated" / "junk file.txt", "junk\n")
    recorder.record_step("break things", {"step": 1}, {"step": 2})
    workspace.savepoint({"step": 2}, "after-break")
    workspace.detach()
    recorder.close()
    assert recorder.path is not None
    return RecordedRun(repo, recorder.path, files_at_good, tree_state(repo))


async def open_at(pilot: Pilot[None], frame: int) -> FileScreen:
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, FileScreen)
    screen.frame_list.move_to(frame)
    await settle(pilot)
    return screen


def shown(app: VCRApp) -> str:
    """The title and every Static of the active screen, as drawn from (a dialog's whole content)."""
    parts = [str(widget.border_title) for widget in app.screen.query("#dialog") if widget.border_title]
    for static in app.screen.query(Static):
        content = static.content
        parts.append(content.plain if hasattr(content, "plain") else str(content))
    return "\n".join(parts)


def dialog(app: VCRApp, kind: type[WorkspaceDialog]) -> WorkspaceDialog:
    screen = app.screen
    assert isinstance(screen, kind), f"expected {kind.__name__}, the screen is {screen!r}"
    return screen


def section(text: str, heading: str) -> list[str]:
    """The file lines under a dry run's heading (``Restore``, ``Create``, ``Delete``...)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    found = []
    for line in lines[start + 1 :]:
        if not line.startswith("  "):
            break
        found.append(line[4:])
    return found


# -- the marker -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_savepoint_frames_carry_an_aligned_marker_in_the_list_and_the_details(
    run: RecordedRun, size: tuple[int, int]
) -> None:
    app = VCRApp(run.recording)
    async with app.run_test(size=size) as pilot:
        screen = await open_at(pilot, GOOD)
        frames = screen.query_one(FrameList)
        rows = ["".join(segment.text for segment in frames.render_line(y)) for y in range(4)]
        assert SNAPSHOT_GLYPH not in rows[PLAN] and SNAPSHOT_GLYPH not in rows[BROKEN]
        assert SNAPSHOT_GLYPH in rows[GOOD] and SNAPSHOT_GLYPH in rows[BAD]
        assert rows[GOOD].index(SNAPSHOT_GLYPH) == rows[BAD].index(SNAPSHOT_GLYPH)
        # the marker starts the node column: the plain rows' names start where it stands
        column = rows[GOOD].index(SNAPSHOT_GLYPH)
        assert rows[PLAN][column:].startswith("plan")
        assert len({len(row) for row in rows}) == 1
        details = screen.query_one(FrameDetails).render().plain
        assert f"{SNAPSHOT_GLYPH} savepoint 0" in details
        assert "acid_commit_hash" not in details  # said once, by the marker, not as a raw key
        await press(pilot, "j")
        assert SNAPSHOT_GLYPH not in screen.query_one(FrameDetails).render().plain


# -- u: roll back -----------------------------------------------------------------------------------


async def test_u_shows_the_dry_run_and_cancelling_changes_nothing(run: RecordedRun) -> None:
    files, state, refs = tree_state(run.repo), git_state(run.repo), private_refs(run.repo)
    app = VCRApp(run.recording, workspace=run.repo)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_at(pilot, GOOD)
        await press(pilot, "u")
        dialog(app, RollbackDialog)
        text = shown(app)
        assert "Roll the files back to frame #1" in text
        assert str(run.repo) in text
        assert "~ 1 restore" in text and "+ 1 create" in text and "− 1 delete" in text
        assert section(text, "Restore 1 file") == ["src/app.py"]
        assert section(text, "Create 1 file") == ["README.md"]
        assert section(text, "Delete 1 file") == ["generated/junk file.txt"]
        assert ".env" not in text and "notes.txt" not in text  # ignored and the user's own: untouched
        await press(pilot, "n")
        assert isinstance(app.screen, FileScreen)
        assert "nothing was changed" in notifications(app)
    assert tree_state(run.repo) == files
    assert git_state(run.repo) == state
    assert private_refs(run.repo) == refs


async def test_u_confirmed_restores_the_files_and_ctrl_z_undoes_it(run: RecordedRun) -> None:
    recording_bytes = run.recording.read_bytes()
    state = git_state(run.repo)
    app = VCRApp(run.recording, workspace=run.repo)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_at(pilot, GOOD)
        await press(pilot, "u")
        dialog(app, RollbackDialog)
        await press(pilot, "y")
        assert isinstance(app.screen, FileScreen)
        said = notifications(app)
        assert "Files rolled back to frame #1" in said
        assert "1 restored, 1 created, 1 deleted" in said
        assert "keeps all its frames" in said and "fork" in said
        assert tree_state(run.repo) == run.files_at_good

        await press(pilot, "ctrl+z")
        dialog(app, RollbackDialog)
        text = shown(app)
        assert "Undo the last rollback" in text
        assert section(text, "Create 1 file") == ["generated/junk file.txt"]
        assert section(text, "Delete 1 file") == ["README.md"]
        await press(pilot, "y")
        assert "Rollback undone" in notifications(app)
    assert tree_state(run.repo) == run.files_at_end
    assert run.recording.read_bytes() == recording_bytes  # the viewer never writes the recording
    assert (git_state(run.repo).head, git_state(run.repo).branch) == (state.head, state.branch)


async def test_the_confirm_button_is_not_the_default(run: RecordedRun) -> None:
    files = tree_state(run.repo)
    app = VCRApp(run.recording, workspace=run.repo)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_at(pilot, GOOD)
        await press(pilot, "u", "enter")  # Enter answers the focused button: Cancel
        assert isinstance(app.screen, FileScreen)
    assert tree_state(run.repo) == files


async def test_u_on_a_frame_without_a_snapshot_says_which_frames_have_one(run: RecordedRun) -> None:
    app = VCRApp(run.recording, workspace=run.repo)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_at(pilot, BROKEN)
        await press(pilot, "u")
        assert isinstance(app.screen, FileScreen)
        said = notifications(app)
        assert "Frame #2 has no snapshot of the files" in said
        assert "nearest one before it is #1" in said
    assert tree_state(run.repo) == run.files_at_end


async def test_files_changed_after_the_dry_run_are_shown_again_not_rolled_back(run: RecordedRun) -> None:
    app = VCRApp(run.recording, workspace=run.repo)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_at(pilot, GOOD)
        await press(pilot, "u")
        dialog(app, RollbackDialog)
        write(run.repo / "late.txt", "written while the dialog was open\n")
        await press(pilot, "y")
        dialog(app, RollbackDialog)
        text = shown(app)
        assert "The files changed since the dry run you saw; nothing was done." in text
        assert "late.txt" in section(text, "Delete 2 files")
        assert (run.repo / "late.txt").exists() and not (run.repo / "README.md").exists()
        await press(pilot, "y")
    assert not (run.repo / "late.txt").exists()
    assert tree_state(run.repo) == run.files_at_good


async def test_a_merge_in_progress_refuses_the_rollback_before_any_dry_run(run: RecordedRun) -> None:
    (run.repo / ".git" / "MERGE_HEAD").write_text(git(run.repo, "rev-parse", "HEAD"))
    app = VCRApp(run.recording, workspace=run.repo)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_at(pilot, GOOD)
        await press(pilot, "u")
        dialog(app, MessageDialog)
        text = shown(app)
        assert "Cannot roll the files back" in text
        assert "merge is in progress" in text and "git merge --abort" in text
        await press(pilot, "y")  # nothing to confirm: the dialog only explains
        dialog(app, MessageDialog)
        await press(pilot, "escape")
    assert tree_state(run.repo) == run.files_at_end


async def test_a_dry_run_with_blocking_files_cannot_be_confirmed(repo: Path, tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path / "runs")
    recorder.start_session(session_id="blocked")
    workspace = ACIDWorkspace(repo, recorder)
    workspace.begin()
    write(repo / "report.txt", "v1\n")
    workspace.savepoint({}, "report written")
    (repo / "report.txt").unlink()
    write(repo / ".gitignore", ".env\nbuild/\n*.log\nreport.txt\n")
    workspace.savepoint({}, "report ignored")
    write(repo / "report.txt", "ignored now, and precious\n")
    workspace.detach()
    recorder.close()
    files = tree_state(repo)
    assert recorder.path is not None
    app = VCRApp(recorder.path, workspace=repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_at(pilot, 0)
        await press(pilot, "u")
        dialog(app, RollbackDialog)
        text = shown(app)
        assert section(text, "Blocking 1 file") == ["report.txt"]
        assert "Nothing can be changed while these paths are in the way" in text
        assert not app.screen.query("#confirm")
        await press(pilot, "y")
        dialog(app, RollbackDialog)  # y has nothing to confirm
        await press(pilot, "escape")
    assert tree_state(repo) == files


# -- C: commit ------------------------------------------------------------------------------------


async def test_C_shows_the_preview_and_commits_one_commit_naming_the_session(run: RecordedRun) -> None:
    head_before = git(run.repo, "rev-parse", "HEAD").strip()
    app = VCRApp(run.recording, workspace=run.repo)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_at(pilot, PLAN)
        await press(pilot, "C")
        dialog(app, CommitDialog)
        text = shown(app)
        assert f"Land the changes of session {SESSION} as one commit on branch main" in text
        assert section(text, "Added: 1 file") == ["generated/junk file.txt"]
        assert section(text, "Modified: 1 file") == ["src/app.py"]
        assert section(text, "Deleted: 1 file") == ["README.md"]
        assert f"vcr-tui-session: {SESSION}" in text
        await press(pilot, "y")
        said = notifications(app)
        assert "Committed 3 files as" in said and "on main" in said
        app.screen.frame_list.move_to(GOOD)  # type: ignore[attr-defined]
        await press(pilot, "u")
        dialog(app, MessageDialog)
        assert "is not open" in shown(app) and "committed or aborted" in shown(app)
    log = git(run.repo, "log", "--format=%H %P", f"{head_before}..HEAD").splitlines()
    assert len(log) == 1 and log[0].split()[1] == head_before
    message = git(run.repo, "log", "-1", "--format=%B")
    assert SESSION in message
    assert git(run.repo, "show", "--name-status", "--format=", "HEAD").split("\n")[:3] == [
        "D\tREADME.md",
        "A\tgenerated/junk file.txt",
        "M\tsrc/app.py",
    ]
    assert private_refs(run.repo) == ""  # the session ended


async def test_C_cancelled_commits_nothing(run: RecordedRun) -> None:
    state, refs = git_state(run.repo), private_refs(run.repo)
    app = VCRApp(run.recording, workspace=run.repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_at(pilot, PLAN)
        await press(pilot, "C")
        dialog(app, CommitDialog)
        await press(pilot, "escape")
        assert isinstance(app.screen, FileScreen)
    assert git_state(run.repo) == state and private_refs(run.repo) == refs


async def test_a_merge_in_progress_refuses_the_commit_with_the_engines_message(run: RecordedRun) -> None:
    # a real conflict on a file the session did not touch; the session's changes stay uncommitted
    git(run.repo, "checkout", "-q", "-b", "other")
    write(run.repo / "run.sh", "#!/bin/sh\necho other\n")
    git(run.repo, "commit", "-q", "-m", "other side", "--", "run.sh")
    git(run.repo, "checkout", "-q", "main")
    write(run.repo / "run.sh", "#!/bin/sh\necho main\n")
    git(run.repo, "commit", "-q", "-m", "main side", "--", "run.sh")
    git(run.repo, "merge", "-q", "other", check=False)
    assert (run.repo / ".git" / "MERGE_HEAD").exists()
    state = git_state(run.repo)
    app = VCRApp(run.recording, workspace=run.repo)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_at(pilot, PLAN)
        await press(pilot, "C")
        dialog(app, MessageDialog)
        text = shown(app)
        assert "Cannot commit the workspace" in text
        assert "A merge is in progress" in text and "git merge --abort" in text
        assert "Traceback" not in text
        await press(pilot, "y")  # nothing to confirm here
        dialog(app, MessageDialog)
        await press(pilot, "escape")
        assert isinstance(app.screen, FileScreen)
    assert git_state(run.repo) == state


@pytest.mark.parametrize(
    ("move", "refusal"),
    [(("-b", "elsewhere"), "is now on elsewhere"), (("--detach",), "is now on a detached HEAD")],
    ids=["another-branch", "detached-head"],
)
async def test_a_head_moved_since_the_run_is_refused_before_asking(
    run: RecordedRun, move: tuple[str, ...], refusal: str
) -> None:
    git(run.repo, "checkout", "-q", *move)
    state = git_state(run.repo)
    app = VCRApp(run.recording, workspace=run.repo)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_at(pilot, PLAN)
        await press(pilot, "C")
        dialog(app, MessageDialog)  # no preview to say yes to
        text = shown(app)
        assert "Cannot commit the workspace" in text
        assert f"HEAD was on main when the session began and {refusal}" in text
        assert "switch back to main" in text
        await press(pilot, "y")
        dialog(app, MessageDialog)
    assert git_state(run.repo) == state


async def test_a_head_moved_after_the_preview_is_refused_after_the_yes(run: RecordedRun) -> None:
    state = git_state(run.repo)
    app = VCRApp(run.recording, workspace=run.repo)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_at(pilot, PLAN)
        await press(pilot, "C")
        assert "on branch main" in shown(app)
        git(run.repo, "checkout", "-q", "-b", "elsewhere")  # while the dialog is open
        moved = git_state(run.repo)
        await press(pilot, "y")
        dialog(app, MessageDialog)
        text = shown(app)
        assert "Nothing was committed" in text and "is now on elsewhere" in text
        assert "Traceback" not in text
    assert git_state(run.repo) == moved != state


# -- where the workspace comes from ---------------------------------------------------------------


async def test_the_recordings_workspace_is_used_only_after_the_user_confirms_it(run: RecordedRun) -> None:
    files, state = tree_state(run.repo), git_state(run.repo)
    app = VCRApp(run.recording)  # no --workspace: the header names the folder
    async with app.run_test(size=(80, 24)) as pilot:
        await open_at(pilot, GOOD)
        await press(pilot, "u")
        dialog(app, ConfirmWorkspaceDialog)
        text = shown(app)
        assert str(run.repo) in text and SESSION in text and "--workspace" in text
        await press(pilot, "n")
        assert isinstance(app.screen, FileScreen)
        assert "was not used" in notifications(app)
        await press(pilot, "u")
        dialog(app, ConfirmWorkspaceDialog)  # declined: asked again next time
        await press(pilot, "y")
        dialog(app, RollbackDialog)
        assert section(shown(app), "Restore 1 file") == ["src/app.py"]
        await press(pilot, "n")
        await press(pilot, "C")
        dialog(app, CommitDialog)  # accepted once: not asked again
        await press(pilot, "n")
    assert tree_state(run.repo) == files and git_state(run.repo) == state


async def test_declining_a_folder_named_by_a_recording_never_touches_it(git_home: Path, tmp_path: Path) -> None:
    """A folder outside git would get a shadow repository the moment the engine looked at it."""
    folder = tmp_path / "plain folder"
    write(folder / "data.txt", "mine\n")
    recorder = VCRRecorder(tmp_path / "runs")
    recorder.start_session(session_id="outside")
    workspace = ACIDWorkspace(folder, recorder)
    workspace.begin()
    workspace.savepoint({}, "saved")
    workspace.detach()
    recorder.close()
    shutil.rmtree(tmp_path / "shadow")  # looking at the folder again would make a new one
    assert recorder.path is not None
    app = VCRApp(recorder.path)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_at(pilot, 0)
        await press(pilot, "C")
        dialog(app, ConfirmWorkspaceDialog)
        await press(pilot, "escape")
    assert not (tmp_path / "shadow").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["data.txt"]


async def test_a_relative_workspace_path_in_a_recording_is_refused(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session(session_id="forged", metadata={"workspace": "../elsewhere", "acid_session": "x"})
    recorder.record_step("step", {}, {})
    recorder.close()
    assert recorder.path is not None
    app = VCRApp(recorder.path)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await press(pilot, "C")
        dialog(app, MessageDialog)
        text = shown(app)
        assert "../elsewhere" in text and "not an absolute path" in text and "--workspace" in text


async def test_a_hostile_workspace_path_is_shown_literally(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    hostile = "/tmp/\x1b[31mred[bold]x\x07"
    recorder.start_session(session_id="hostile", metadata={"workspace": hostile, "acid_session": "[i]s\x1b"})
    recorder.record_step("step", {}, {})
    recorder.close()
    assert recorder.path is not None
    app = VCRApp(recorder.path)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await press(pilot, "C")
        dialog(app, ConfirmWorkspaceDialog)
        text = shown(app)
        assert "/tmp/␛[31mred[bold]x␇" in text and "[i]s␛" in text
        assert "\x1b" not in text and "\x07" not in text
        await press(pilot, "n")


KILLED_MID_ROLLBACK = """
import os, signal, sys
from recorder.acid import ACIDWorkspace

real_rename = os.rename

def rename(source, destination):
    real_rename(source, destination)
    if os.path.basename(destination).startswith(".vcr-tui-old-"):  # one file set aside, none replaced
        os.kill(os.getpid(), signal.SIGKILL)

workspace = ACIDWorkspace.attach(sys.argv[1], sys.argv[2])
os.rename = rename
workspace.rollback(int(sys.argv[3]))
"""


async def test_a_rollback_killed_half_way_is_reversed_and_the_dry_run_says_so(run: RecordedRun) -> None:
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_MID_ROLLBACK, str(run.repo), SESSION, str(GOOD)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert tree_state(run.repo) != run.files_at_end  # half-done: a file is missing
    app = VCRApp(run.recording, workspace=run.repo)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_at(pilot, GOOD)
        await press(pilot, "u")
        dialog(app, RollbackDialog)
        assert "A rollback was interrupted (its process was killed) and has been reversed" in shown(app)
        assert tree_state(run.repo) == run.files_at_end
        await press(pilot, "n")
    assert tree_state(run.repo) == run.files_at_end


async def test_the_dry_run_names_the_undo_key_the_user_chose(run: RecordedRun) -> None:
    app = VCRApp(run.recording, workspace=run.repo, keymap={"file.undo-rollback": "U"})
    async with app.run_test(size=(120, 35)) as pilot:
        await open_at(pilot, GOOD)
        await press(pilot, "u")
        assert "U undoes the rollback" in shown(app)
        await press(pilot, "y")
        assert "U undoes the rollback" in notifications(app)
        await press(pilot, "U")
        assert "Undo the last rollback" in shown(app)
        await press(pilot, "n")


async def test_without_any_workspace_u_and_C_say_how_to_name_one(app_recordings) -> None:
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "C")
        dialog(app, MessageDialog)
        assert "--workspace PATH" in shown(app)
        await press(pilot, "escape")
        await press(pilot, "u")  # frame 0 of the demo has no snapshot: that is said first
        assert "has no snapshot of the files" in notifications(app)


async def test_a_workspace_option_naming_a_folder_outside_git_explains(run: RecordedRun, tmp_path: Path) -> None:
    plain = tmp_path / "not a repository"
    write(plain / "file.txt", "content\n")
    app = VCRApp(run.recording, workspace=plain)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_at(pilot, GOOD)
        await press(pilot, "u")
        dialog(app, MessageDialog)
        text = shown(app)
        assert "Cannot roll the files back" in text
        assert f"Session '{SESSION}' is not open in {plain}: it was committed or aborted" in text
        assert f"the recording names {run.repo} as its workspace" in text
    assert sorted(p.name for p in plain.iterdir()) == ["file.txt"]  # no .git appeared
    assert tree_state(run.repo) == run.files_at_end


async def test_a_session_held_by_a_running_agent_is_reported(run: RecordedRun) -> None:
    holder = ACIDWorkspace.attach(run.repo, SESSION, recording=run.recording)
    try:
        app = VCRApp(run.recording, workspace=run.repo)
        async with app.run_test(size=(120, 35)) as pilot:
            await open_at(pilot, GOOD)
            await press(pilot, "u")
            dialog(app, MessageDialog)
            assert "in use by process" in shown(app)
    finally:
        holder.detach()
    assert tree_state(run.repo) == run.files_at_end


# -- the command line -----------------------------------------------------------------------------


def test_workspace_option_must_name_a_folder(tmp_path: Path, app_recordings) -> None:
    recording = app_recordings.demo()
    assert_one_line_failure(
        run_cli(str(recording), "--workspace", str(tmp_path / "nope"), cwd=tmp_path), "--workspace", "no such folder"
    )
    assert_one_line_failure(
        run_cli(str(recording), "--workspace", str(recording), cwd=tmp_path), "--workspace", "is not a folder"
    )


def test_workspace_option_reaches_the_app(tmp_path: Path, app_recordings, monkeypatch: pytest.MonkeyPatch) -> None:
    from vcr_tui.cli_group import main

    seen: list[Path | None] = []
    monkeypatch.setattr(VCRApp, "run", lambda self: seen.append(self.workspace))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "project").mkdir()
    result = CliRunner().invoke(main, [str(app_recordings.demo()), "--workspace", "project"])
    assert result.exit_code == 0, result.output
    assert seen == [(tmp_path / "project").resolve()]
