"""A process SIGKILLed at any step of ``commit`` never leaves HEAD ahead of the index.

The danger is a HEAD on the new commit while the index still holds the old entries: a plain
``git commit`` afterwards would then commit a revert of the agent's work. A real child process
attaches to a real session and commits it; git is reached through a small wrapper program that
runs the real git and, at the N-th git command of the commit, kills the child right after that
command finished. A first run without a kill counts the commands, then every one of them is a
kill point of its own. After each kill the state must be safe, and the next ``attach`` must either
finish the commit or leave a session that commits normally.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from recorder.acid import ACIDWorkspace, SessionError
from tests.support.acid_support import (
    git,
    git_home_fixture,  # noqa: F401  (the git_home fixture)
    init_repo,
    private_refs,
    tree_state,
    write,
)

SESSION = "landing"
MARKER = "== commit starts"

# POSIX sh, so the wrapper costs next to nothing per git command.
WRAPPER = """#!/bin/sh
printf '%s %s\\n' "$1" "$2" >> "$VCR_TEST_GIT_LOG"
start=$(grep -nxF '{marker}' "$VCR_TEST_GIT_LOG" | cut -d: -f1)
if [ -n "$start" ]; then
    total=$(wc -l < "$VCR_TEST_GIT_LOG")
    if [ $((total - start - 1)) = "$VCR_TEST_KILL_AFTER" ]; then
        "$VCR_TEST_REAL_GIT" "$@"
        status=$?
        kill -KILL "$PPID"
        exit $status
    fi
fi
exec "$VCR_TEST_REAL_GIT" "$@"
"""

CHILD = """
import sys
from recorder.acid import ACIDWorkspace

workspace = ACIDWorkspace.attach(sys.argv[1], sys.argv[2])
with open(sys.argv[3], "a", encoding="utf-8") as handle:
    handle.write(sys.argv[4] + "\\n")
workspace.commit("the agent's work")
print("committed", flush=True)
"""


def prepare(root: Path) -> tuple[str, list[str]]:
    """A repository with a staged change of the user's and an open session holding the agent's work."""
    init_repo(root)
    write(root / "README.md", "# project\n")
    write(root / "src" / "app.py", "print('old')\n")
    write(root / "old.txt", "to be deleted by the agent\n")
    write(root / "user.txt", "committed\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    write(root / "user.txt", "staged by the user\n")
    git(root, "add", "user.txt")
    workspace = ACIDWorkspace(root)
    workspace.begin(SESSION)
    write(root / "src" / "app.py", "print('new')\n")
    write(root / "src" / "added.py", "added = True\n")
    (root / "old.txt").unlink()
    workspace.savepoint({}, "agent done")
    workspace.detach()
    return git(root, "rev-parse", "HEAD").strip(), ["src/app.py", "src/added.py", "old.txt"]


def run_child(root: Path, tools: Path, kill_after: int) -> subprocess.CompletedProcess[str]:
    log = tools / f"log-{kill_after}"
    env = {
        **os.environ,
        "GIT_PYTHON_GIT_EXECUTABLE": str(tools / "git"),
        "VCR_TEST_REAL_GIT": str(shutil.which("git")),
        "VCR_TEST_GIT_LOG": str(log),
        "VCR_TEST_KILL_AFTER": str(kill_after),
    }
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(root), SESSION, str(log), MARKER],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def commands_of_the_commit(tools: Path, kill_after: int) -> list[str]:
    lines = (tools / f"log-{kill_after}").read_text(encoding="utf-8").splitlines()
    return lines[lines.index(MARKER) + 1 :]


def index_entry(root: Path, path: str) -> str:
    return git(root, "ls-files", "-s", "--", path).strip()


def head_entry(root: Path, path: str) -> str:
    line = git(root, "ls-tree", "HEAD", "--", path).strip()
    if not line:
        return ""
    meta, name = line.split("\t")
    mode, _kind, oid = meta.split(" ")
    return f"{mode} {oid} 0\t{name}"


def assert_safe(root: Path, old_head: str, paths: list[str], staged_by_user: str) -> None:
    """HEAD on the new commit implies the index holds that commit's entries for the session's files."""
    head = git(root, "rev-parse", "HEAD").strip()
    if head != old_head:
        assert git(root, "rev-parse", "HEAD^").strip() == old_head
        for path in paths:
            assert index_entry(root, path) == head_entry(root, path), f"{path}: HEAD moved, the index did not"
    assert index_entry(root, "user.txt") == staged_by_user  # the user's staging is theirs
    assert not (root / ".git" / "index.lock").exists()


def assert_committed(root: Path, old_head: str, paths: list[str], staged_by_user: str) -> None:
    assert git(root, "rev-parse", "HEAD^").strip() == old_head
    assert git(root, "show", "HEAD:src/app.py") == "print('new')\n"
    assert git(root, "show", "HEAD:src/added.py") == "added = True\n"
    assert git(root, "ls-tree", "HEAD", "--", "old.txt") == ""
    assert git(root, "diff-index", "--cached", "--name-only", "HEAD", "--", *paths) == ""
    assert index_entry(root, "user.txt") == staged_by_user
    assert private_refs(root) == ""


@pytest.mark.slow
def test_a_kill_after_any_step_of_commit_is_safe_and_the_next_attach_finishes(git_home: Path, tmp_path: Path) -> None:
    tools = tmp_path / "tools"
    tools.mkdir()
    wrapper = tools / "git"
    wrapper.write_text(WRAPPER.format(marker=MARKER), encoding="utf-8")
    wrapper.chmod(0o755)

    # A first run, killed nowhere, lists the git commands a commit runs.
    counting = tmp_path / "counting"
    old_head, paths = prepare(counting)
    staged_by_user = index_entry(counting, "user.txt")
    done = run_child(counting, tools, -1)
    assert done.returncode == 0 and "committed" in done.stdout, done.stderr
    assert_committed(counting, old_head, paths, staged_by_user)
    steps = commands_of_the_commit(tools, -1)
    assert any(step.startswith("update-ref") for step in steps) and len(steps) > 5

    for kill_after, step in enumerate(steps):
        root = tmp_path / f"kill-{kill_after}"
        old_head, paths = prepare(root)
        files = tree_state(root)
        killed = run_child(root, tools, kill_after)
        assert killed.returncode == -signal.SIGKILL, f"step {kill_after} ({step}): {killed.stderr}"
        cut = commands_of_the_commit(tools, kill_after)
        assert [line.split()[0] for line in cut] == [line.split()[0] for line in steps[: kill_after + 1]]
        assert_safe(root, old_head, paths, staged_by_user)
        assert tree_state(root) == files  # a commit never touches the files

        try:
            ACIDWorkspace.attach(root, SESSION).commit("the agent's work")
        except SessionError as finished:
            # the kill came after the commit was made: attach finished it, or it had ended
            assert "now finished" in str(finished) or "no open session" in str(finished), (step, finished)
        assert_committed(root, old_head, paths, staged_by_user)
        assert tree_state(root) == files
