"""A process SIGKILLed in the middle of a savepoint leaves the repository usable and the files intact.

A real child process runs a workspace on a real repository, rewriting a large incompressible
file before each savepoint so that most of its time is spent inside ``git add``; it is killed
with its whole process group (git children included) shortly after announcing a savepoint. The
temporary index left behind proves the kill landed inside the snapshot; the attempt is repeated
a few times if the machine was too quick for that.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from recorder.acid import ACIDWorkspace
from tests.support.acid_support import (
    git,
    git_home_fixture,  # noqa: F401  (the git_home fixture)
    git_state,
    repo_fixture,  # noqa: F401  (the repo fixture)
    tree_state,
)

CHILD = """
import os, sys
from pathlib import Path
from recorder.acid import ACIDWorkspace

root = Path(sys.argv[1])
workspace = ACIDWorkspace(root)
workspace.begin(sys.argv[2])
agent = root / "agent"
agent.mkdir()
n = 0
while True:
    n += 1
    (agent / "big.bin").write_bytes(os.urandom(12 << 20))
    for i in range(20):
        (agent / f"part {i}.txt").write_text(f"{n}-{i}")
    print(f"savepoint {n}", flush=True)
    workspace.savepoint({"n": n}, f"step {n}")
"""


def run_and_kill(repo: Path, session_id: str) -> int:
    """Start the child, let it finish one savepoint, kill it inside the second; return its pid."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(repo), session_id],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert child.stdout is not None
        for line in child.stdout:
            if line.strip() == b"savepoint 2":
                break
        else:
            raise AssertionError(f"the child stopped early: {child.stderr.read().decode() if child.stderr else ''}")
        time.sleep(0.05)
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()
    return child.pid


def leftovers(repo: Path, pid: int) -> list[Path]:
    temp = repo / ".git" / "vcr-tui" / "tmp"
    return [entry for entry in temp.iterdir() if entry.name.startswith(f"index.{pid}.")] if temp.exists() else []


@pytest.mark.slow
def test_a_kill_during_a_savepoint_leaves_everything_usable(repo: Path) -> None:
    files, state = tree_state(repo), git_state(repo)
    killed_inside = None
    for attempt in range(6):
        session_id = f"killed-{attempt}"
        pid = run_and_kill(repo, session_id)
        if leftovers(repo, pid):
            killed_inside = (session_id, pid)
            break
        ACIDWorkspace.attach(repo, session_id).abort()  # killed between savepoints: try again
    assert killed_inside is not None, "the kill never landed inside a savepoint"
    session_id, pid = killed_inside

    # The user's files, HEAD, branch and index are exactly as before; only the agent's folder is new.
    after = tree_state(repo)
    assert {path: value for path, value in after.items() if not path.startswith("agent/")} == files
    now = git_state(repo)
    assert (now.head, now.branch, now.index) == (state.head, state.branch, state.index)
    assert git(repo, "fsck", "--no-dangling", "--no-progress") == ""
    assert not (repo / ".git" / "index.lock").exists()

    # The next session cleans up after the dead process and works normally.
    fresh = ACIDWorkspace(repo)
    fresh.begin("after-the-kill")
    assert not leftovers(repo, pid)
    fresh.savepoint({}, "fine")
    fresh.abort()

    # The killed session itself can be picked up and aborted: the agent's files go, nothing else.
    ACIDWorkspace.attach(repo, session_id).abort()
    assert tree_state(repo) == files
    assert not (repo / "agent").exists()
    assert git_state(repo) == state
    assert git(repo, "for-each-ref", "refs/vcr/") == ""
