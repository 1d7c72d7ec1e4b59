"""What the workspace refuses, and what it never loses, on real git repositories.

- rollback, its undo and abort refuse while git is in the middle of a merge, rebase,
  cherry-pick or revert (each made real, with a real conflict);
- undoing a rollback is exact, also when the agent had put a folder where a file or link was;
- the user's empty folders survive, and the states a session replaced stay reachable after it
  ends, through ``git gc``;
- a bare repository is refused, and a hook that refuses is named as the cause.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from recorder.acid import (
    ACIDWorkspace,
    RepositoryStateError,
    RollbackConflictError,
    WorkspaceError,
)
from tests.support.acid_support import (
    folders,
    git,
    git_home_fixture,  # noqa: F401  (the git_home fixture)
    git_state,
    init_repo,
    private_refs,
    repo_fixture,  # noqa: F401  (the repo fixture)
    tree_state,
    write,
)

# -- a repository in the middle of something --------------------------------------------------


def conflicting_branches(repo: Path) -> None:
    """``other`` and ``main`` both change README.md's only line, differently."""
    git(repo, "switch", "-q", "-c", "other")
    write(repo / "README.md", "other side\n")
    git(repo, "commit", "-q", "-am", "other side")
    git(repo, "switch", "-q", "main")
    write(repo / "README.md", "main side\n")
    git(repo, "commit", "-q", "-am", "main side")


def start_merge(repo: Path) -> None:
    git(repo, "merge", "-q", "other", check=False)


def start_rebase(repo: Path) -> None:
    git(repo, "rebase", "-q", "other", check=False)


def start_cherry_pick(repo: Path) -> None:
    git(repo, "cherry-pick", "other", check=False)


def start_revert(repo: Path) -> None:
    write(repo / "README.md", "main side, edited again\n")
    git(repo, "commit", "-q", "-am", "edit again")
    git(repo, "revert", "--no-edit", "HEAD~1", check=False)


BUSY = {
    "merge": (start_merge, "MERGE_HEAD", "a merge is in progress"),
    "rebase": (start_rebase, "rebase-merge", "a rebase is in progress"),
    "cherry-pick": (start_cherry_pick, "CHERRY_PICK_HEAD", "a cherry-pick is in progress"),
    "revert": (start_revert, "REVERT_HEAD", "a revert is in progress"),
}


@pytest.mark.parametrize("operation", sorted(BUSY))
def test_rollback_undo_and_abort_refuse_while_git_is_busy(repo: Path, operation: str) -> None:
    start, marker, said = BUSY[operation]
    conflicting_branches(repo)
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    workspace.savepoint({}, "clean")
    write(repo / "agent.txt", "the agent's file\n")
    workspace.savepoint({}, "agent file")
    workspace.rollback(0)
    write(repo / "later.txt", "written after the rollback\n")
    start(repo)
    assert (repo / ".git" / marker).exists(), f"the {operation} did not stop on its conflict"
    files, state, refs = tree_state(repo), git_state(repo), private_refs(repo)

    attempts: list[Callable[[], object]] = [lambda: workspace.rollback(1), workspace.undo_rollback, workspace.abort]
    for attempt in attempts:
        with pytest.raises(RepositoryStateError, match=said):
            attempt()

    assert tree_state(repo) == files and git_state(repo) == state and private_refs(repo) == refs
    assert workspace.plan_rollback(1).delete  # a dry run still shows what would happen
    workspace.detach()


# -- undo is exact -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["file", "symlink"])
def test_undo_puts_back_a_folder_the_agent_made_where_the_users_file_or_link_was(repo: Path, kind: str) -> None:
    entry = repo / "mine"
    if kind == "file":
        write(entry, "the user's own, never committed\n")
    else:
        os.symlink("notes.txt", entry)
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    workspace.savepoint({}, "as the user left it")
    entry.unlink()
    write(entry / "inside" / "made by the agent.txt", "agent\n")
    before_rollback, dirs_before = tree_state(repo), folders(repo)

    workspace.rollback(0)
    assert entry.is_symlink() if kind == "symlink" else entry.read_text() == "the user's own, never committed\n"
    assert workspace.plan_undo_rollback().conflicts == ()
    workspace.undo_rollback()

    assert tree_state(repo) == before_rollback and folders(repo) == dirs_before
    workspace.abort()
    assert entry.is_symlink() if kind == "symlink" else entry.read_text() == "the user's own, never committed\n"


def test_undo_does_not_bring_back_a_file_the_agent_had_deleted(repo: Path) -> None:
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    workspace.savepoint({}, "notes still there")
    (repo / "notes.txt").unlink()  # the user's own untracked file, deleted by the agent...
    write(repo / "result.txt", "done\n")
    workspace.savepoint({}, "notes gone")
    before_rollback = tree_state(repo)

    workspace.rollback(0)
    assert (repo / "notes.txt").read_text() == "my untracked notes\n"
    workspace.undo_rollback()

    assert tree_state(repo) == before_rollback  # ...stays deleted, as it was before the rollback
    workspace.abort()
    assert (repo / "notes.txt").read_text() == "my untracked notes\n"


def test_undo_keeps_a_file_the_user_changed_after_the_rollback(repo: Path) -> None:
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    workspace.savepoint({}, "notes there")
    (repo / "notes.txt").unlink()
    workspace.savepoint({}, "notes gone")
    workspace.rollback(0)
    write(repo / "notes.txt", "edited by the user after the rollback\n")

    plan = workspace.plan_undo_rollback()
    workspace.undo_rollback()

    assert plan.keep == ("notes.txt",)
    assert (repo / "notes.txt").read_text() == "edited by the user after the rollback\n"
    workspace.detach()


# -- nothing of the user's is lost ---------------------------------------------------------------


def test_the_users_empty_folders_are_never_removed(repo: Path) -> None:
    (repo / "data" / "cache" / "deep").mkdir(parents=True)  # untracked, empty all the way down
    (repo / "src" / "placeholder").mkdir()  # empty, inside a tracked folder
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    workspace.savepoint({}, "clean")
    dirs = folders(repo)
    write(repo / "data" / "cache" / "deep" / "agent.txt", "agent\n")
    write(repo / "src" / "placeholder" / "agent.txt", "agent\n")

    workspace.rollback(0)
    assert folders(repo) == dirs
    workspace.undo_rollback()
    workspace.abort()
    assert folders(repo) == dirs


def test_a_folder_in_the_way_holding_the_users_empty_folder_blocks_the_rollback(repo: Path) -> None:
    workspace = ACIDWorkspace(repo)
    (repo / "slot" / "kept empty").mkdir(parents=True)
    workspace.begin()
    (repo / "slot" / "kept empty").rmdir()
    (repo / "slot").rmdir()
    write(repo / "slot", "the agent made a file here\n")
    workspace.savepoint({}, "file in the slot")
    (repo / "slot").unlink()
    (repo / "slot" / "kept empty").mkdir(parents=True)
    files, dirs = tree_state(repo), folders(repo)

    with pytest.raises(RollbackConflictError, match="slot"):
        workspace.rollback(0)
    assert tree_state(repo) == files and folders(repo) == dirs
    workspace.detach()


def test_after_abort_the_users_edits_survive_gc_under_a_ref(repo: Path) -> None:
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    write(repo / "notes.txt", "edited by the user during the run\n")
    write(repo / "agent.txt", "agent\n")

    result = workspace.abort()
    git(repo, "gc", "-q", "--prune=now")

    assert result.kept_ref is not None and result.kept_ref.startswith("refs/vcr-kept/")
    assert git(repo, "rev-parse", result.kept_ref).strip() == result.discarded
    assert git(repo, "show", f"{result.kept_ref}:notes.txt") == "edited by the user during the run\n"
    assert (repo / "notes.txt").read_text() == "my untracked notes\n"
    assert private_refs(repo) == ""


def test_after_commit_the_state_a_rollback_replaced_survives_gc(repo: Path) -> None:
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    workspace.savepoint({}, "clean")
    write(repo / "notes.txt", "edited by the user, then rolled back\n")
    rolled = workspace.rollback(0)
    write(repo / "agent.txt", "the agent's result\n")

    result = workspace.commit()
    git(repo, "gc", "-q", "--prune=now")

    assert result.kept_ref is not None
    kept_history = git(repo, "rev-list", result.kept_ref).split()
    assert rolled.undo_snapshot.commit in kept_history
    assert git(repo, "show", f"{rolled.undo_snapshot.commit}:notes.txt") == "edited by the user, then rolled back\n"


def test_a_session_that_replaced_nothing_leaves_no_kept_ref(repo: Path) -> None:
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    write(repo / "agent.txt", "agent\n")
    assert workspace.commit().kept_ref is None
    assert git(repo, "for-each-ref", "refs/vcr-kept/") == ""


# -- repositories the workspace will not work in -------------------------------------------------


def test_a_bare_repository_is_refused_clearly(repo: Path, tmp_path: Path) -> None:
    bare = tmp_path / "served.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    for folder in (bare, bare / "refs"):
        with pytest.raises(RepositoryStateError, match=r"bare repository: it has no working files"):
            ACIDWorkspace(folder)
    flagged = init_repo(tmp_path / "flagged")
    git(flagged, "config", "core.bare", "true")
    with pytest.raises(RepositoryStateError, match="bare repository"):
        ACIDWorkspace(flagged)
    assert not (tmp_path / "shadow").exists()  # no shadow repository was made for any of them


def test_a_refusing_hook_is_named_as_the_cause(repo: Path) -> None:
    hook = repo / ".git" / "hooks" / "reference-transaction"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text("#!/bin/sh\necho 'policy: no new refs here' >&2\nexit 1\n")
    hook.chmod(0o755)
    files, state = tree_state(repo), git_state(repo)

    with pytest.raises(WorkspaceError) as refused:
        ACIDWorkspace(repo).begin("hooked")

    message = str(refused.value)
    assert "hook" in message and "policy: no new refs here" in message
    assert "already open" not in message
    assert tree_state(repo) == files and git_state(repo) == state
    hook.unlink()
    workspace = ACIDWorkspace(repo)
    workspace.begin("hooked")  # nothing was left behind that blocks the id
    workspace.abort()


def test_a_hook_refusing_the_commit_leaves_the_index_and_the_session_as_they_were(repo: Path) -> None:
    workspace = ACIDWorkspace(repo)
    workspace.begin("reviewed")
    write(repo / "agent.txt", "the agent's work\n")
    state, entries = git_state(repo), git(repo, "ls-files", "-s")
    hook = repo / ".git" / "hooks" / "reference-transaction"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text(
        "#!/bin/sh\n"
        '[ "$1" = prepared ] || exit 0\n'
        "if grep -q ' refs/heads/'; then echo 'policy: commits go through review' >&2; exit 1; fi\n"
    )
    hook.chmod(0o755)

    with pytest.raises(WorkspaceError, match=r"refused by a hook.*commits go through review"):
        workspace.commit()

    now = git_state(repo)
    assert (now.head, now.branch, now.status) == (state.head, state.branch, state.status)
    assert git(repo, "ls-files", "-s") == entries  # the index entries put back as they were
    assert "landing" not in private_refs(repo) and "/base" in private_refs(repo)
    hook.unlink()
    assert workspace.commit().commit is not None
    assert git(repo, "show", "HEAD:agent.txt") == "the agent's work\n"
