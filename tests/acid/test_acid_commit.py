"""ACIDWorkspace.commit and the repository states around it, on real git repositories.

A staged index, a detached HEAD, an unborn branch, a merge in progress, a branch switched during
the session, and two sessions in two ``git worktree`` checkouts of one repository at once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from recorder.acid import ACIDWorkspace, RepositoryStateError, WorkspaceError
from tests.support.acid_support import (
    git,
    git_home_fixture,  # noqa: F401  (the git_home fixture)
    git_state,
    init_repo,
    private_refs,
    repo_fixture,  # noqa: F401  (the repo fixture)
    tree_state,
    write,
)


def name_status(root: Path, commit: str = "HEAD") -> set[str]:
    out = git(root, "-c", "core.quotePath=false", "show", "--no-renames", "--name-status", "--format=", commit)
    return {line for line in out.splitlines() if line}


def test_commit_lands_only_the_sessions_changes_and_keeps_the_users_staging(repo: Path) -> None:
    write(repo / "README.md", "# staged by the user\n")
    git(repo, "add", "README.md")
    write(repo / "docs" / "with space.md", "unstaged edit by the user\n")
    staged_before = git(repo, "diff", "--cached", "--name-only")
    old_head = git(repo, "rev-parse", "HEAD").strip()
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    session_id = workspace.session_id
    write(repo / "src" / "app.py", "print('improved')\n")
    write(repo / "src" / "feature ü.py", "feature = True\n")
    (repo / "src" / "lib" / "util.py").unlink()
    workspace.savepoint({}, "work")

    preview = workspace.preview_commit()
    result = workspace.commit()

    assert preview.added == result.added == ("src/feature ü.py",)
    assert preview.modified == result.modified == ("src/app.py",)
    assert preview.deleted == result.deleted == ("src/lib/util.py",)
    assert preview.staged_elsewhere == ("README.md",)
    assert git(repo, "rev-parse", "HEAD^").strip() == old_head
    assert git(repo, "rev-parse", "HEAD").strip() == result.commit
    assert git(repo, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    assert name_status(repo) == {"A\tsrc/feature ü.py", "M\tsrc/app.py", "D\tsrc/lib/util.py"}
    assert f"vcr-tui-session: {session_id}" in git(repo, "log", "-1", "--format=%B")
    # The user's staged README is still staged (not committed), the unstaged edit still unstaged.
    assert git(repo, "diff", "--cached", "--name-only") == staged_before
    assert git(repo, "show", "HEAD:README.md") == "# project\n"
    status = git(repo, "-c", "core.quotePath=false", "status", "--porcelain", "--untracked-files=all")
    assert set(status.splitlines()) == {"M  README.md", ' M "docs/with space.md"', "?? notes.txt"}
    assert private_refs(repo) == ""
    assert not workspace.active


def test_commit_message_names_the_session(repo: Path) -> None:
    workspace = ACIDWorkspace(repo)
    workspace.begin("run-42")
    write(repo / "out.txt", "x\n")
    result = workspace.commit("Add the report")
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("Add the report\n")
    assert "vcr-tui-session: run-42" in message
    assert result.message.strip() == message.strip()


def test_commit_on_a_detached_head_moves_head_and_no_branch(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")
    old_head = git(repo, "rev-parse", "HEAD").strip()
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    write(repo / "detached.txt", "x\n")
    result = workspace.commit()
    assert result.branch is None
    assert git(repo, "symbolic-ref", "-q", "HEAD", check=False) == ""
    assert git(repo, "rev-parse", "HEAD").strip() == result.commit
    assert git(repo, "rev-parse", "refs/heads/main").strip() == old_head


def test_commit_on_an_unborn_branch_makes_the_first_commit(git_home: Path, tmp_path: Path) -> None:
    root = init_repo(tmp_path / "fresh")
    write(root / "user-file.txt", "the user's, untracked\n")
    write(root / "staged.txt", "staged but never committed\n")
    git(root, "add", "staged.txt")
    state = git_state(root)
    workspace = ACIDWorkspace(root)
    workspace.begin()
    assert git_state(root) == state
    write(root / "agent.txt", "made by the agent\n")
    workspace.savepoint({}, "s0")
    write(root / "agent.txt", "changed by the agent\n")
    workspace.rollback(0)
    assert (root / "agent.txt").read_text() == "made by the agent\n"
    assert git_state(root).index == state.index

    result = workspace.commit()

    assert result.branch == "main"
    assert git(root, "rev-list", "--count", "HEAD").strip() == "1"
    assert git(root, "ls-tree", "-r", "--name-only", "HEAD").split() == ["agent.txt"]
    status = git(root, "status", "--porcelain", "--untracked-files=all")
    assert set(status.splitlines()) == {"A  staged.txt", "?? user-file.txt"}


def test_a_session_that_changed_nothing_makes_no_commit(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD").strip()
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    write(repo / "src" / "app.py", "temporary\n")
    write(repo / "src" / "app.py", "print('app')\n")
    assert workspace.preview_commit().is_empty
    assert workspace.commit().commit is None
    assert git(repo, "rev-parse", "HEAD").strip() == head
    assert private_refs(repo) == ""


def test_commit_is_refused_when_the_branch_changed_and_works_after_switching_back(repo: Path) -> None:
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    write(repo / "work.txt", "x\n")
    assert workspace.preview_commit().refused is None
    git(repo, "switch", "-q", "-c", "elsewhere")
    refused = workspace.preview_commit().refused
    assert refused is not None and "main" in refused and "elsewhere" in refused  # said before committing
    with pytest.raises(RepositoryStateError, match=r"main.*elsewhere"):
        workspace.commit()
    assert workspace.active
    git(repo, "switch", "-q", "main")
    assert workspace.preview_commit().refused is None
    result = workspace.commit()
    assert result.branch == "main" and name_status(repo) == {"A\twork.txt"}


def test_a_merge_in_progress_is_refused_with_a_clear_message(repo: Path) -> None:
    git(repo, "switch", "-q", "-c", "other")
    write(repo / "README.md", "other\n")
    git(repo, "commit", "-q", "-am", "other")
    git(repo, "switch", "-q", "main")
    write(repo / "README.md", "main\n")
    git(repo, "commit", "-q", "-am", "main")
    git(repo, "merge", "-q", "other", check=False)
    assert (repo / ".git" / "MERGE_HEAD").exists()
    state, files = git_state(repo), tree_state(repo)

    with pytest.raises(RepositoryStateError, match=r"a merge is in progress.*merge --abort"):
        ACIDWorkspace(repo).begin()

    assert git_state(repo) == state and tree_state(repo) == files
    assert private_refs(repo) == ""


def test_commit_without_a_git_identity_says_how_to_fix_it(repo: Path) -> None:
    git(repo, "config", "--unset", "user.name")
    git(repo, "config", "--unset", "user.email")
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    write(repo / "x.txt", "x\n")
    with pytest.raises(WorkspaceError, match=r"user\.name and user\.email"):
        workspace.commit()
    assert workspace.active  # nothing lost: configure git and commit again
    git(repo, "config", "user.name", "Test User")
    git(repo, "config", "user.email", "test@example.com")
    assert workspace.commit().commit is not None


def test_two_sessions_in_two_worktrees_at_once(repo: Path, tmp_path: Path) -> None:
    other = tmp_path / "second checkout"
    git(repo, "worktree", "add", "-q", "-b", "feature", str(other))
    main_head = git(repo, "rev-parse", "HEAD").strip()
    first, second = ACIDWorkspace(repo), ACIDWorkspace(other)
    first.begin("same-moment-1")
    second.begin("same-moment-2")

    write(repo / "src" / "app.py", "main's agent\n")
    write(other / "src" / "app.py", "feature's agent\n")
    first.savepoint({}, "m0")
    second.savepoint({}, "f0")
    write(repo / "main-only.txt", "m\n")
    write(other / "feature-only.txt", "f\n")
    first.rollback(0)
    assert (other / "feature-only.txt").exists()  # the other checkout is not touched
    second.savepoint({}, "f1")

    first_result = first.commit()
    second.rollback(0)
    second_result = second.commit()

    assert git(repo, "rev-parse", "main^").strip() == main_head
    assert git(repo, "rev-parse", "feature^").strip() == main_head
    assert git(repo, "show", "main:src/app.py") == "main's agent\n"
    assert git(repo, "show", "feature:src/app.py") == "feature's agent\n"
    assert name_status(repo, "main") == {"M\tsrc/app.py"}
    assert name_status(repo, "feature") == {"M\tsrc/app.py"}
    assert first_result.branch == "main" and second_result.branch == "feature"
    assert not (repo / "main-only.txt").exists() and not (other / "feature-only.txt").exists()
    assert git(other, "status", "--porcelain") == ""
    assert private_refs(repo) == ""
