"""A viewer's rollback names the snapshot it holds: confirming never reads the recording again.

Real repositories and sessions (``tests/acid_support.py``); the recording is taken away after the
frame was read, so any path that still read it would fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from recorder.acid import ACIDWorkspace, RollbackResult, SnapshotNotFoundError
from tests.logic.test_workspace_link import recorded, target
from tests.support.acid_support import (
    git_home_fixture,  # noqa: F401  (the git_home fixture)
    repo_fixture,  # noqa: F401  (the repo fixture)
    tree_state,
    write,
)
from vcr_tui.logic.workspace_link import RollbackProposal, apply_rollback, propose_rollback, propose_undo


def savepoint_commit(recording: Path) -> str:
    from recorder import VCRReader
    from vcr_tui.logic.workspace_facts import snapshot_commit

    with VCRReader(recording) as reader:
        commit = snapshot_commit(reader.frame(1).metadata.custom)
    assert commit is not None
    return commit


def test_plan_rollback_to_and_rollback_to_take_the_snapshot_not_a_frame(repo: Path, tmp_path: Path) -> None:
    recording = recorded(repo, tmp_path)
    before = tree_state(repo)
    workspace = ACIDWorkspace.attach(repo, "rec", recording=recording)
    try:
        snapshot = workspace.snapshot_named(savepoint_commit(recording))
        recording.unlink()  # nothing below may read it
        plan = workspace.plan_rollback_to(snapshot)
        assert plan.delete == ("made.txt",) and plan.target == snapshot
        result = workspace.rollback_to(snapshot)
        assert isinstance(result, RollbackResult) and result.recorder is None
        assert not (repo / "made.txt").exists()
        workspace.undo_rollback()
    finally:
        workspace.detach()
    assert tree_state(repo) == before


def test_a_snapshot_of_another_session_is_refused(repo: Path, tmp_path: Path) -> None:
    recording = recorded(repo, tmp_path)
    workspace = ACIDWorkspace.attach(repo, "rec", recording=recording)
    try:
        with pytest.raises(SnapshotNotFoundError, match="not one of session 'rec'"):
            workspace.snapshot_named("0" * 40)
        stranger = workspace.snapshot_named(savepoint_commit(recording))
        stranger = type(stranger)(stranger.kind, stranger.number, "f" * 40, stranger.tree)
        with pytest.raises(SnapshotNotFoundError, match="not one of session 'rec'"):
            workspace.rollback_to(stranger)
        assert (repo / "made.txt").exists()
    finally:
        workspace.detach()


def test_u_then_y_reads_the_recording_only_through_the_frame_on_screen(repo: Path, tmp_path: Path) -> None:
    """The dry run is given the frame's snapshot, and the confirmation reuses the dry run's."""
    recording = recorded(repo, tmp_path)
    where = target(repo, recording, "rec")
    commit = savepoint_commit(recording)
    recording.unlink()

    proposal = propose_rollback(where, 1, commit)
    assert proposal.plan.delete == ("made.txt",)
    outcome = apply_rollback(proposal)

    assert isinstance(outcome, RollbackResult)
    assert not (repo / "made.txt").exists()
    undo = apply_rollback(propose_undo(where))
    assert isinstance(undo, RollbackResult) and (repo / "made.txt").exists()


def test_a_dry_run_by_frame_index_is_confirmed_without_reading_the_recording(repo: Path, tmp_path: Path) -> None:
    recording = recorded(repo, tmp_path)
    where = target(repo, recording, "rec")
    proposal = propose_rollback(where, 1)  # reads frame 1 to find its snapshot
    recording.unlink()
    write(repo / "later.txt", "after the dry run\n")

    changed = apply_rollback(proposal)

    assert isinstance(changed, RollbackProposal) and changed.changed
    assert changed.plan.delete == ("later.txt", "made.txt")
    assert isinstance(apply_rollback(changed), RollbackResult)
    assert not (repo / "later.txt").exists()
