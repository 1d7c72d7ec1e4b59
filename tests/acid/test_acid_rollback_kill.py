"""A process SIGKILLed at any step of a rollback leaves nothing half-done after the next ``attach``.

A real child process attaches to a real session and rolls it back. Each file-system step the
rollback takes (a rename, a new folder, a removal) is a kill point: the child counts them and
kills itself just before or just after the N-th. A first run without a kill counts the steps.
After each kill, ``attach`` must leave either the files as they were before the rollback (it is
reversed, or had not started, and there is no rollback to undo) or the files of the savepoint (it
had been applied; its clean-up is finished and ``undo_rollback`` works), never a mix, never a hidden
``.vcr-tui-*`` entry beside the user's files.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from recorder.acid import ACIDWorkspace, SessionError
from tests.support.acid_support import (
    folders,
    git,
    git_home_fixture,  # noqa: F401  (the git_home fixture)
    init_repo,
    tree_state,
    write,
)

SESSION = "rollback-kill"

CHILD = """
import os, shutil, signal, sys
from recorder.acid import ACIDWorkspace

kill_at, when = int(sys.argv[3]), sys.argv[4]
steps = 0

def counted(real):
    def step(*args, **kwargs):
        global steps
        steps += 1
        if steps == kill_at and when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        try:
            return real(*args, **kwargs)
        finally:  # also after a step that failed (a removal of what is already gone)
            if steps == kill_at and when == "after":
                os.kill(os.getpid(), signal.SIGKILL)
    return step

workspace = ACIDWorkspace.attach(sys.argv[1], sys.argv[2])
for name in ("rename", "mkdir", "rmdir", "unlink"):
    setattr(os, name, counted(getattr(os, name)))
shutil.rmtree = counted(shutil.rmtree)
workspace.rollback(0)
print("steps", steps, flush=True)
"""


def prepare(root: Path) -> tuple[dict[str, tuple[str, bytes | str, bool]], set[str]]:
    """A session whose savepoint differs from the files now in every way a rollback handles."""
    init_repo(root)
    write(root / "README.md", "# project\n")
    write(root / "src" / "app.py", "print('at the savepoint')\n")
    write(root / "docs" / "guide" / "intro.md", "intro\n")
    write(root / "tools" / "run.sh", "#!/bin/sh\necho run\n", executable=True)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    workspace = ACIDWorkspace(root)
    workspace.begin(SESSION)
    workspace.savepoint({}, "good")
    at_savepoint = tree_state(root)
    # The agent edits, deletes a whole folder, adds files in new folders, swaps a file for a link.
    write(root / "src" / "app.py", "print('broken by the agent')\n")
    (root / "docs" / "guide" / "intro.md").unlink()
    (root / "docs" / "guide").rmdir()
    (root / "docs").rmdir()
    write(root / "made" / "by" / "agent.txt", "new\n")
    (root / "tools" / "run.sh").unlink()
    (root / "tools" / "run.sh").symlink_to("../README.md")
    workspace.detach()
    return at_savepoint, folders(root)


def run_child(root: Path, kill_at: int, when: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(root), SESSION, str(kill_at), when],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def hidden_leftovers(root: Path) -> list[str]:
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if not (name == ".git" and Path(folder) == root)]
        found += [os.path.join(folder, name) for name in [*dirs, *files] if name.startswith(".vcr-tui-")]
    return found


@pytest.mark.slow
def test_a_kill_at_any_step_of_a_rollback_is_reversed_or_finished_by_the_next_attach(
    git_home: Path, tmp_path: Path
) -> None:
    counting = tmp_path / "counting"
    at_savepoint, _ = prepare(counting)
    done = run_child(counting, -1, "after")
    assert done.returncode == 0, done.stderr
    steps = int(done.stdout.split()[-1])
    assert steps >= 8 and tree_state(counting) == at_savepoint

    outcomes: set[str] = set()
    checked_going_on = 0
    for kill_at in range(1, steps + 1):
        for when in ("before", "after"):
            root = tmp_path / f"kill-{kill_at}-{when}"
            at_savepoint, before_folders = prepare(root)
            before = tree_state(root)
            killed = run_child(root, kill_at, when)
            assert killed.returncode == -signal.SIGKILL, f"step {kill_at} {when}: {killed.stderr}"

            workspace = ACIDWorkspace.attach(root, SESSION)
            assert not hidden_leftovers(root), f"step {kill_at} {when}"
            assert len(workspace.recovered) <= 1
            state = tree_state(root)
            assert state in (before, at_savepoint), f"step {kill_at} {when}: a mix of both"
            if state == before:  # reversed, or killed before it touched a file
                outcomes.add("reversed" if workspace.recovered else "not started")
                assert folders(root) == before_folders, f"step {kill_at} {when}"
                with pytest.raises(SessionError, match="no rollback to undo"):
                    workspace.undo_rollback()
            else:  # applied: its clean-up is finished, and it can be undone
                outcomes.add("finished")
                assert not (workspace.recovered and workspace.recovered[0].undone)
                workspace.undo_rollback()
                assert tree_state(root) == before, f"step {kill_at} {when}"
            if len(outcomes) > checked_going_on:  # once per kind of outcome: the session goes on
                checked_going_on = len(outcomes)
                workspace.rollback(0)
                assert tree_state(root) == at_savepoint and not hidden_leftovers(root)
                workspace.undo_rollback()
                assert tree_state(root) == before
            workspace.detach()
    assert {"reversed", "finished"} <= outcomes
