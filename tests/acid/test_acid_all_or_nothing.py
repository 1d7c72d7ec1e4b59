"""A rollback that fails part-way changes nothing, names the file, and a retry writes the right bytes.

The failures are real: a small tmpfs mounted inside the repository and filled up (a full disk),
or remounted read-only (a write-protected folder). Mounting needs root; without it these tests
skip. Every mount is undone by its fixture, whatever the test did.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from recorder.acid import ACIDWorkspace, RollbackFailedError, SessionError
from recorder.acid.gitrunner import GitRunner
from tests.support.acid_support import (
    folders,
    git,
    git_home_fixture,  # noqa: F401  (the git_home fixture)
    private_refs,
    repo_fixture,  # noqa: F401  (the repo fixture)
    tree_state,
    write,
)

DISK_BYTES = 2 << 20


def mount_tmpfs(where: Path, size: int) -> None:
    where.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({result.stderr.strip() or 'not root'})")


def unmount(where: Path) -> None:
    if subprocess.run(["umount", str(where)], capture_output=True, check=False).returncode != 0:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


@pytest.fixture
def small_disk(repo: Path) -> Iterator[Path]:
    """``repo/data``: a 2 MiB file system of its own, inside the repository's work tree."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    where = repo / "data"
    mount_tmpfs(where, DISK_BYTES)
    try:
        yield where
    finally:
        unmount(where)


def fill(folder: Path) -> Path:
    """Write until the disk is full. The file is ignored (``*.log``), so no rollback frees the space."""
    filler = folder / "filler.log"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"\xff" * 4096)
    finally:
        os.close(fd)
    return filler


@pytest.mark.slow
def test_a_full_disk_leaves_every_file_as_it_was_and_a_retry_writes_the_right_bytes(
    repo: Path, small_disk: Path
) -> None:
    big = os.urandom(1_200_000)
    write(small_disk / "big.bin", big)
    write(repo / "src" / "app.py", "print('at the savepoint')\n")
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    workspace.savepoint({}, "good")
    at_savepoint = tree_state(repo)
    # The agent shrinks the big file, edits elsewhere, then fills the disk.
    write(small_disk / "big.bin", b"small now\n")
    write(repo / "src" / "app.py", "print('broken')\n")
    write(repo / "made by the agent.txt", "new\n")
    filler = fill(small_disk)
    before, dirs, refs = tree_state(repo), folders(repo), private_refs(repo)

    with pytest.raises(RollbackFailedError, match=r"nothing was changed.*data/big\.bin") as failed:
        workspace.rollback(0)

    assert failed.value.path == "data/big.bin" and failed.value.undone
    assert tree_state(repo) == before and folders(repo) == dirs
    assert private_refs(repo) == refs  # no snapshot of a rollback that did not happen
    assert not [name for name in os.listdir(small_disk) if name.startswith(".vcr-tui-")]
    with pytest.raises(SessionError, match="no rollback to undo"):
        workspace.undo_rollback()

    # Room again: the same workspace, in the same process, writes exactly the snapshot.
    filler.unlink()
    workspace.rollback(0)
    assert tree_state(repo) == at_savepoint
    assert (small_disk / "big.bin").read_bytes() == big
    workspace.undo_rollback()
    assert tree_state(repo) == {path: value for path, value in before.items() if path != "data/filler.log"}
    workspace.abort()


@pytest.mark.slow
def test_a_write_protected_folder_part_way_puts_back_what_was_already_done(repo: Path, small_disk: Path) -> None:
    write(small_disk / "locked.txt", "at the savepoint\n")
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    workspace.savepoint({}, "good")
    # Changes on both sides of the protected folder, in path order: some are done before it fails.
    write(repo / "assets" / "logo.bin", b"changed by the agent")
    write(repo / "assets" / "new.txt", "created by the agent\n")
    (repo / "README.md").unlink()
    write(small_disk / "agent.txt", "created by the agent\n")
    write(repo / "src" / "app.py", "print('changed')\n")
    before, dirs = tree_state(repo), folders(repo)
    protect = subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], capture_output=True, check=False)
    if protect.returncode != 0:
        pytest.skip("cannot remount the tmpfs read-only")

    with pytest.raises(RollbackFailedError, match=r"data/agent\.txt") as failed:
        workspace.rollback(0)

    assert failed.value.undone and "nothing was changed" in str(failed.value)
    assert tree_state(repo) == before and folders(repo) == dirs
    subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], capture_output=True, check=True)
    workspace.rollback(0)
    assert not (small_disk / "agent.txt").exists() and (repo / "README.md").exists()
    workspace.abort()


def test_the_object_reader_is_restarted_after_an_answer_was_cut_short(repo: Path) -> None:
    big = os.urandom(3 << 20)  # several chunks, so the failure leaves most of it in the pipe
    write(repo / "big.bin", big)
    git(repo, "add", "big.bin")
    big_oid = git(repo, "rev-parse", ":big.bin").strip()
    small_oid = git(repo, "rev-parse", "HEAD:README.md").strip()
    runner = GitRunner(
        repo,
        git_dir=repo / ".git",
        common_dir=repo / ".git",
        index_file=repo / ".git" / "index",
        object_dir=repo / ".git" / "objects",
    )
    try:

        def full_disk(chunk: bytes) -> None:
            raise OSError(28, "No space left on device")

        with pytest.raises(OSError):
            runner.objects.copy_blob(big_oid, full_disk)
        assert runner.objects.read_blob(small_oid) == b"# project\n"
        assert runner.objects.read_blob(big_oid) == big
    finally:
        runner.close()


def test_entries_a_killed_rollback_left_behind_are_never_snapshotted_or_touched(repo: Path) -> None:
    workspace = ACIDWorkspace(repo)
    workspace.begin()
    workspace.savepoint({}, "clean")
    write(repo / "src" / ".vcr-tui-new-0123456789ab", "staged by a process that was killed\n")
    write(repo / ".vcr-tui-old-ba9876543210" / "app.py", "set aside by it\n")
    write(repo / "agent.txt", "agent\n")

    snapshot = workspace.savepoint({}, "after")
    workspace.rollback(0)

    listed = git(repo, "ls-tree", "-r", "--name-only", snapshot.commit)
    assert ".vcr-tui-" not in listed and "agent.txt" in listed
    assert (repo / "src" / ".vcr-tui-new-0123456789ab").exists()
    assert (repo / ".vcr-tui-old-ba9876543210" / "app.py").exists()
    assert not (repo / "agent.txt").exists()
    workspace.abort()
