"""The viewer's side of the workspace without a terminal: finding the session, dry runs, refusals.

Real repositories (``tests/acid_support.py``), real sessions begun by ``ACIDWorkspace``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from recorder import VCRRecorder
from recorder.acid import ACIDWorkspace, RollbackResult, SessionError, SnapshotNotFoundError
from tests.support.acid_support import (
    git_home_fixture,  # noqa: F401  (the git_home fixture)
    repo_fixture,  # noqa: F401  (the repo fixture)
    tree_state,
    write,
)
from vcr_tui.logic.workspace_facts import snapshot_commit
from vcr_tui.logic.workspace_link import (
    Origin,
    RollbackProposal,
    WorkspaceTarget,
    apply_rollback,
    failure_text,
    find_session,
    propose_rollback,
    recorded_path_problem,
    same_plan,
)


def target(repo: Path, recording: Path, session_id: str | None = None) -> WorkspaceTarget:
    return WorkspaceTarget(repo, Origin.OPTION, recording, session_id)


def begin(repo: Path, session_id: str, recording: Path | None = None) -> ACIDWorkspace:
    workspace = ACIDWorkspace(repo, recording=recording)
    workspace.begin(session_id)
    workspace.savepoint({}, "saved")
    workspace.detach()
    return workspace


def test_the_session_begun_with_the_recording_is_found_among_others(repo: Path, tmp_path: Path) -> None:
    mine, other = tmp_path / "mine.vcr", tmp_path / "other.vcr"
    begin(repo, "other-run", other)
    begin(repo, "my-run", mine)
    assert find_session(target(repo, mine), "unrelated id").session_id == "my-run"
    assert find_session(target(repo, tmp_path / "x.vcr"), "other-run").session_id == "other-run"
    with pytest.raises(SessionError, match=r"2 sessions are open in .* \(other-run, my-run\)"):
        find_session(target(repo, tmp_path / "x.vcr"), "unrelated id")


def test_a_single_open_session_is_used_and_none_is_explained(repo: Path, tmp_path: Path) -> None:
    with pytest.raises(SessionError, match="no session of files is open in"):
        find_session(target(repo, tmp_path / "r.vcr"), "r")
    begin(repo, "only-one")
    assert find_session(target(repo, tmp_path / "r.vcr"), "r").session_id == "only-one"
    named = target(repo, tmp_path / "r.vcr", "given")
    assert find_session(named, "r") is named  # a session named by the recording is not second-guessed


def recorded(repo: Path, tmp_path: Path) -> Path:
    """A recording of frame 0 "think" (no snapshot), frame 1 a savepoint, then a file the agent made."""
    recorder = VCRRecorder(tmp_path / "runs")
    recorder.start_session(session_id="rec")
    workspace = ACIDWorkspace(repo, recorder)
    workspace.begin()
    recorder.record_step("think", {}, {})
    workspace.savepoint({}, "saved")
    write(repo / "made.txt", "by the agent\n")
    workspace.detach()
    recorder.close()
    assert recorder.path is not None
    return recorder.path


def test_a_changed_dry_run_comes_back_instead_of_a_rollback(repo: Path, tmp_path: Path) -> None:
    where = target(repo, recorded(repo, tmp_path), "rec")
    proposal = propose_rollback(where, 1)
    assert proposal.plan.delete == ("made.txt",)
    write(repo / "later.txt", "after the dry run\n")
    files = tree_state(repo)

    outcome = apply_rollback(proposal)

    assert isinstance(outcome, RollbackProposal) and outcome.changed
    assert outcome.plan.delete == ("later.txt", "made.txt")
    assert tree_state(repo) == files
    assert not same_plan(outcome.plan, proposal.plan)
    assert isinstance(apply_rollback(outcome), RollbackResult)
    assert not (repo / "made.txt").exists() and not (repo / "later.txt").exists()


def test_propose_rollback_names_a_frame_without_a_snapshot(repo: Path, tmp_path: Path) -> None:
    with pytest.raises(SnapshotNotFoundError, match=r"frame 0 \(think\) has no snapshot"):
        propose_rollback(target(repo, recorded(repo, tmp_path), "rec"), 0)


def test_what_the_recording_says_is_checked_before_use() -> None:
    assert snapshot_commit({"acid_commit_hash": "abc"}) == "abc"
    assert snapshot_commit({"acid_commit_hash": ""}) is None
    assert snapshot_commit({"acid_commit_hash": 12}) is None
    assert recorded_path_problem("/abs/path") is None
    assert recorded_path_problem("relative/path") == "it is not an absolute path"
    assert recorded_path_problem("/a\x00b") == "it contains a NUL character"


def test_failures_become_one_sentence() -> None:
    assert failure_text(SessionError("no open session 'x' in /p")) == "no open session 'x' in /p"
    assert failure_text(PermissionError(13, "Permission denied", "/p/f")) == "Permission denied (/p/f)"
    assert failure_text(ValueError("odd")) == "unexpected ValueError: odd"
