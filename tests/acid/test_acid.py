"""ACIDWorkspace on real git repositories: begin, savepoint, rollback (and its undo), abort.

Each test changes files the way an agent would, then compares the whole folder (contents,
links, executable bits, folders) and what the user sees of git (HEAD, branch, the index file
byte for byte, ``git status``) with a state recorded earlier.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from recorder.acid import (
    ACIDWorkspace,
    RollbackConflictError,
    SessionError,
    SnapshotNotFoundError,
    WorkspaceError,
)
from tests.support.acid_support import (
    BINARY,
    folders,
    git,
    git_home_fixture,  # noqa: F401  (the git_home fixture)
    git_state,
    private_refs,
    repo_fixture,  # noqa: F401  (the repo fixture)
    tree_state,
    write,
)


def agent_edits(root: Path) -> None:
    """A bit of everything: modify, delete, create (nested), rename, retarget, chmod, binary."""
    write(root / "src" / "app.py", "print('broken by the agent')\n")
    (root / "README.md").unlink()
    write(root / "generated" / "deep" / "nested" / "file.txt", "new\n")
    write(root / "src" / "new module.py", "x = 1\n")
    os.rename(root / "docs" / "naïve café.txt", root / "docs" / "renamed ünïcode.txt")
    (root / "app-link").unlink()
    os.symlink("README.md", root / "app-link")
    (root / "run.sh").chmod(0o644)
    write(root / "assets" / "logo.bin", BINARY[::-1])
    (root / "src" / "lib" / "util.py").unlink()
    (root / "src" / "lib").rmdir()


def test_begin_and_savepoint_change_nothing_the_user_can_see(repo: Path) -> None:
    write(repo / "src" / "app.py", "print('staged by the user')\n")
    git(repo, "add", "src/app.py")
    write(repo / "README.md", "unstaged edit\n")
    files, dirs, state = tree_state(repo), folders(repo), git_state(repo)
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    workspace.savepoint({"step": 1}, "first")
    assert tree_state(repo) == files
    assert folders(repo) == dirs
    assert git_state(repo) == state
    assert not (repo / ".git" / "index.lock").exists()
    workspace.detach()


def test_rollback_restores_the_savepoint_exactly(repo: Path) -> None:
    write(repo / "src" / "app.py", "print('staged by the user')\n")
    git(repo, "add", "src/app.py")
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    at_savepoint, dirs_at_savepoint = tree_state(repo), folders(repo)
    state = git_state(repo)
    workspace.savepoint({}, "before the agent")
    agent_edits(repo)
    write(repo / "build" / "made-later.o", b"ignored output")  # ignored: stays
    write(repo / "debug.log", "ignored log\n")  # ignored: stays

    result = workspace.rollback(0)

    after = tree_state(repo)
    assert after.pop("build/made-later.o") == ("file", b"ignored output", False)
    assert after.pop("debug.log") == ("file", b"ignored log\n", False)
    assert after == at_savepoint
    assert folders(repo) == dirs_at_savepoint  # generated/deep/nested removed, src/lib back
    assert git_state(repo) == state
    plan = result.plan
    assert set(plan.restore) == {"src/app.py", "app-link", "run.sh", "assets/logo.bin"}
    assert set(plan.create) == {"README.md", "docs/naïve café.txt", "src/lib/util.py"}
    assert set(plan.delete) == {"generated/deep/nested/file.txt", "src/new module.py", "docs/renamed ünïcode.txt"}
    assert plan.keep == () and plan.conflicts == ()
    assert os.readlink(repo / "app-link") == "src/app.py"
    assert os.access(repo / "run.sh", os.X_OK)
    workspace.detach()


def test_rollback_can_be_undone(repo: Path) -> None:
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    workspace.savepoint({}, "clean")
    agent_edits(repo)
    before_rollback, dirs_before = tree_state(repo), folders(repo)

    result = workspace.rollback(0)
    assert tree_state(repo) != before_rollback
    assert workspace.plan_undo_rollback().restore  # the dry run of the undo names files
    workspace.undo_rollback()

    assert tree_state(repo) == before_rollback
    assert folders(repo) == dirs_before
    assert result.undo_snapshot.commit in private_refs(repo)
    with pytest.raises(SessionError, match="no rollback to undo"):
        workspace.undo_rollback()
    workspace.detach()


def test_dry_run_lists_the_files_and_changes_nothing(repo: Path) -> None:
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    workspace.savepoint({}, "s0")
    write(repo / "src" / "app.py", "changed\n")
    (repo / "docs" / "with space.md").unlink()
    write(repo / "created.txt", "new\n")
    files, state = tree_state(repo), git_state(repo)

    plan = workspace.plan_rollback(0)

    assert plan.restore == ("src/app.py",)
    assert plan.create == ("docs/with space.md",)
    assert plan.delete == ("created.txt",)
    assert plan.can_apply and not plan.is_empty
    assert tree_state(repo) == files
    assert git_state(repo) == state
    workspace.detach()


def test_a_folder_empty_at_begin_stays_and_folders_the_agent_made_go(repo: Path) -> None:
    (repo / "empty at begin").mkdir()
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    workspace.savepoint({}, "s0")
    write(repo / "empty at begin" / "filled.txt", "x\n")
    write(repo / "made" / "by" / "agent.txt", "y\n")
    (repo / "made" / "empty too").mkdir()

    workspace.rollback(0)

    assert (repo / "empty at begin").is_dir()
    assert not (repo / "empty at begin" / "filled.txt").exists()
    assert not (repo / "made" / "by").exists()
    assert (repo / "made" / "empty too").is_dir()  # never held a snapshot file: left alone
    workspace.detach()


def test_files_the_user_had_before_begin_are_never_deleted(repo: Path) -> None:
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    (repo / "notes.txt").unlink()  # the agent deletes the user's untracked notes...
    workspace.savepoint({}, "notes gone")
    write(repo / "notes.txt", "rewritten by the agent\n")  # ...and writes them again

    plan = workspace.plan_rollback(0)
    workspace.rollback(0)

    assert plan.keep == ("notes.txt",) and plan.delete == ()
    assert (repo / "notes.txt").read_text() == "rewritten by the agent\n"
    workspace.abort()
    assert (repo / "notes.txt").read_text() == "my untracked notes\n"


def test_files_ignored_at_begin_survive_even_when_the_agent_unignores_them(repo: Path) -> None:
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    workspace.savepoint({}, "start")
    write(repo / ".gitignore", "build/\n")  # .env and *.log are no longer ignored
    write(repo / ".env", "SECRET=2\n")
    workspace.savepoint({}, ".env now visible")

    workspace.rollback(0)

    assert (repo / ".env").read_text() == "SECRET=2\n"  # never deleted, though no longer ignored
    assert (repo / ".gitignore").read_text() == ".env\nbuild/\n*.log\n"
    workspace.abort()
    assert (repo / ".env").exists()


def test_a_file_no_snapshot_holds_blocks_the_rollback_and_nothing_changes(repo: Path) -> None:
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    write(repo / "report.txt", "v1\n")
    workspace.savepoint({}, "report written")
    (repo / "report.txt").unlink()
    write(repo / ".gitignore", ".env\nbuild/\n*.log\nreport.txt\n")
    workspace.savepoint({}, "report ignored")
    write(repo / "report.txt", "ignored now, and precious\n")
    files = tree_state(repo)

    with pytest.raises(RollbackConflictError, match=r"report\.txt") as caught:
        workspace.rollback(0)

    assert caught.value.paths == ("report.txt",)
    assert workspace.plan_rollback(0).conflicts == ("report.txt",)
    assert tree_state(repo) == files
    workspace.detach()


def test_abort_returns_to_the_state_at_begin(repo: Path) -> None:
    files, dirs, state = tree_state(repo), folders(repo), git_state(repo)
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    agent_edits(repo)
    workspace.savepoint({}, "half way")
    write(repo / "more" / "stuff.txt", "more\n")

    result = workspace.abort()

    assert tree_state(repo) == files
    assert folders(repo) == dirs
    assert git_state(repo) == state
    assert private_refs(repo) == ""
    assert not list((repo / ".git" / "vcr-tui" / "sessions").iterdir())
    assert "more/stuff.txt" in result.plan.delete
    assert git(repo, "cat-file", "-t", result.discarded).strip() == "commit"
    assert not workspace.active


def test_context_manager_aborts_when_the_block_raises(repo: Path) -> None:
    files = tree_state(repo)
    with pytest.raises(RuntimeError, match="agent failed"), ACIDWorkspace(repo) as workspace:
        agent_edits(repo)
        workspace.savepoint({}, "step")
        raise RuntimeError("agent failed")
    assert tree_state(repo) == files
    assert private_refs(repo) == ""


def test_context_manager_keeps_the_session_open_on_success(repo: Path) -> None:
    with ACIDWorkspace(repo) as workspace:
        write(repo / "result.txt", "done\n")
        workspace.savepoint({}, "done")
        session_id = workspace.session_id
    assert session_id is not None
    assert (repo / "result.txt").exists()
    [info] = ACIDWorkspace.sessions(repo)
    assert info.session_id == session_id and info.savepoints == 1 and info.workspace == repo.resolve()
    attached = ACIDWorkspace.attach(repo, session_id)
    attached.abort()
    assert not (repo / "result.txt").exists()


def test_a_symbolic_link_is_never_written_through(repo: Path, tmp_path: Path) -> None:
    outside = write(tmp_path / "outside.txt", "outside the workspace\n")
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    workspace.savepoint({}, "s0")
    (repo / "src" / "app.py").unlink()
    os.symlink(outside, repo / "src" / "app.py")  # the agent swaps a file for a link out
    (repo / "src" / "lib" / "util.py").unlink()
    (repo / "src" / "lib").rmdir()
    os.symlink(tmp_path, repo / "src" / "lib")  # and a folder for a link to an outside folder

    workspace.rollback(0)

    assert outside.read_text() == "outside the workspace\n"
    assert not (tmp_path / "util.py").exists()
    assert not (repo / "src" / "app.py").is_symlink()
    assert (repo / "src" / "app.py").read_text() == "print('app')\n"
    assert not (repo / "src" / "lib").is_symlink()
    assert (repo / "src" / "lib" / "util.py").read_text().startswith("def util")
    workspace.detach()


def test_a_hard_link_leading_outside_keeps_its_content(repo: Path, tmp_path: Path) -> None:
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    workspace.savepoint({}, "s0")
    os.link(repo / "README.md", tmp_path / "outside-link")
    with open(repo / "README.md", "w", encoding="utf-8") as handle:
        handle.write("changed through a hard link\n")

    workspace.rollback(0)

    assert (repo / "README.md").read_text() == "# project\n"
    assert (tmp_path / "outside-link").read_text() == "changed through a hard link\n"
    workspace.detach()


def test_tracked_files_matching_an_ignore_pattern_are_restored(repo: Path) -> None:
    write(repo / "keep.log", "tracked on purpose\n")
    git(repo, "add", "-f", "keep.log")
    git(repo, "commit", "-q", "-m", "a tracked log")
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    workspace.savepoint({}, "s0")
    write(repo / "keep.log", "overwritten\n")

    assert workspace.plan_rollback(0).restore == ("keep.log",)
    workspace.rollback(0)
    assert (repo / "keep.log").read_text() == "tracked on purpose\n"
    workspace.detach()


def test_snapshots_keep_bytes_exactly_despite_filters_and_line_endings(repo: Path) -> None:
    write(repo / ".gitattributes", "*.txt text=auto eol=lf\n*.dat filter=upper\n")
    git(repo, "config", "filter.upper.clean", "tr a-z A-Z")
    git(repo, "config", "filter.upper.smudge", "cat")
    git(repo, "add", ".gitattributes")
    git(repo, "commit", "-q", "-m", "attributes")
    write(repo / "windows.txt", b"line one\r\nline two\r\n")
    write(repo / "data.dat", "lower case\n")
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    workspace.savepoint({}, "s0")
    write(repo / "windows.txt", "rewritten\n")
    write(repo / "data.dat", "changed\n")

    workspace.rollback(0)

    assert (repo / "windows.txt").read_bytes() == b"line one\r\nline two\r\n"
    assert (repo / "data.dat").read_bytes() == b"lower case\n"
    result = workspace.commit()  # the commit itself goes through the repository's filters
    assert result.commit is None  # the rollback undid every change of the session


def test_a_subfolder_workspace_leaves_the_rest_of_the_repository_alone(repo: Path) -> None:
    workspace = ACIDWorkspace(repo / "src")
    workspace.begin()
    workspace.savepoint({}, "s0")
    write(repo / "src" / "made.py", "inside\n")
    write(repo / "outside.txt", "outside the workspace\n")
    write(repo / "README.md", "edited outside\n")

    plan = workspace.rollback(0).plan

    assert plan.delete == ("made.py",)  # relative to the workspace folder
    assert not (repo / "src" / "made.py").exists()
    assert (repo / "outside.txt").read_text() == "outside the workspace\n"
    assert (repo / "README.md").read_text() == "edited outside\n"
    write(repo / "src" / "kept.py", "committed\n")
    result = workspace.commit()
    assert result.added == ("kept.py",)
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["src/kept.py"]
    assert (repo / "README.md").read_text() == "edited outside\n"  # not committed, still there


def test_a_folder_outside_git_gets_a_shadow_repository_elsewhere(git_home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "plain folder"
    write(folder / "a.txt", "a\n")
    write(folder / ".env", "TOKEN=1\n")  # a shadow repository leaves .env out by default
    write(folder / "sub" / "b.bin", BINARY)
    files = tree_state(folder)
    workspace = ACIDWorkspace(folder)
    workspace.begin()
    workspace.savepoint({}, "s0")
    write(folder / "a.txt", "changed\n")
    write(folder / "new" / "c.txt", "c\n")
    write(folder / ".env", "TOKEN=2\n")

    workspace.rollback(0)

    after = tree_state(folder)
    assert after.pop(".env") == ("file", b"TOKEN=2\n", False)  # never snapshotted, never touched
    files.pop(".env")
    assert after == files
    assert not (folder / ".git").exists()
    assert workspace.layout.shadow and (tmp_path / "shadow") in workspace.layout.git_dir.parents
    result = workspace.commit("keep the result")
    assert result.commit is None  # the rollback already undid everything
    assert not any(name == ".git" for _, dirs, _ in os.walk(folder) for name in dirs)


def test_a_repository_the_agent_clones_inside_is_never_reached_into(repo: Path) -> None:
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    workspace.savepoint({}, "s0")
    empty_repository, cloned = repo / "vendor" / "fresh", repo / "vendor" / "cloned"
    git(repo, "init", "-q", str(empty_repository))  # no commit yet: git cannot even point at it
    write(empty_repository / "code.py", "nested\n")
    git(repo, "init", "-q", str(cloned))
    write(cloned / "lib.py", "lib\n")
    git(cloned, "-c", "user.name=a", "-c", "user.email=a@b", "commit", "-q", "--allow-empty", "-m", "x")
    write(repo / "src" / "app.py", "changed\n")
    workspace.savepoint({}, "s1")

    plan = workspace.rollback(0).plan

    assert plan.restore == ("src/app.py",) and plan.delete == ()
    assert (empty_repository / "code.py").read_text() == "nested\n"
    assert (cloned / "lib.py").read_text() == "lib\n"
    assert (empty_repository / ".git").is_dir() and (cloned / ".git").is_dir()
    workspace.detach()


def test_inherited_git_variables_do_not_redirect_the_workspace(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoy = tmp_path / "decoy"
    git(tmp_path, "init", "-q", str(decoy))
    monkeypatch.setenv("GIT_DIR", str(decoy / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(decoy))
    monkeypatch.setenv("GIT_INDEX_FILE", str(tmp_path / "stray-index"))
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    workspace.savepoint({}, "s0")
    write(repo / "src" / "app.py", "changed\n")
    workspace.rollback(0)
    assert (repo / "src" / "app.py").read_text() == "print('app')\n"
    assert not (tmp_path / "stray-index").exists()
    monkeypatch.delenv("GIT_DIR")
    monkeypatch.delenv("GIT_WORK_TREE")
    monkeypatch.delenv("GIT_INDEX_FILE")
    assert git(decoy, "for-each-ref") == ""
    workspace.abort()


def test_misuse_gets_clear_errors(repo: Path, git_home: Path, tmp_path: Path) -> None:
    workspace = ACIDWorkspace(repo)
    with pytest.raises(SessionError, match="call begin"):
        workspace.savepoint({}, "too early")
    workspace.begin("run-1")
    with pytest.raises(SessionError, match="already open"):
        workspace.begin()
    with pytest.raises(SnapshotNotFoundError, match="no savepoint 0"):
        workspace.rollback(0)
    with pytest.raises(SessionError, match="already open"):
        ACIDWorkspace(repo).begin("run-1")
    with pytest.raises(SessionError, match="in use"):
        ACIDWorkspace.attach(repo, "run-1")
    with pytest.raises(WorkspaceError, match="does not exist"):
        ACIDWorkspace(tmp_path / "missing")
    with pytest.raises(WorkspaceError, match="not inside a git repository"):
        ACIDWorkspace(git_home, shadow=False)
    with pytest.raises(WorkspaceError, match=r"\.git folder"):
        ACIDWorkspace(repo / ".git" / "refs")
    with pytest.raises(WorkspaceError, match="inside the workspace"):
        ACIDWorkspace(git_home, shadow=True, shadow_dir=git_home / "snapshots")
    workspace.abort()
    with pytest.raises(SessionError, match="no open session"):
        ACIDWorkspace.attach(repo, "run-1")


def test_looking_for_sessions_in_a_plain_folder_writes_nothing(tmp_path: Path, git_home: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    shadows = tmp_path / "shadows"
    assert ACIDWorkspace.sessions(folder, shadow_dir=shadows) == []
    with pytest.raises(SessionError, match="no session was ever begun"):
        ACIDWorkspace.attach(folder, "nope", shadow_dir=shadows)
    assert not shadows.exists()
