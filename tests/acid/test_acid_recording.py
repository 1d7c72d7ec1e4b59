"""ACIDWorkspace with a recording: savepoint frames, rollback by frame index into a fork, attach.

The recording is a real ``.vcr`` file written by ``VCRRecorder`` and read back with
``VCRReader``; the repository is a real git repository.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recorder import FrameType, VCRReader, VCRRecorder
from recorder.acid import COMMIT_HASH_KEY, ACIDWorkspace, SessionError, SnapshotNotFoundError
from tests.support.acid_support import (
    git,
    git_home_fixture,  # noqa: F401  (the git_home fixture)
    repo_fixture,  # noqa: F401  (the repo fixture)
    tree_state,
    write,
)


def frames(path: Path) -> list[tuple[str, str, dict[str, object]]]:
    with VCRReader(path) as reader:
        return [
            (reader.frame(i).node_name, reader.frame(i).frame_type.value, reader.frame(i).metadata.custom)
            for i in range(len(reader))
        ]


@pytest.fixture
def recorder(tmp_path: Path) -> VCRRecorder:
    recorder = VCRRecorder(tmp_path / "recordings")
    recorder.start_session(session_id="agent-run")
    yield recorder
    recorder.close()


def test_each_savepoint_records_a_checkpoint_naming_a_snapshot_of_the_files(repo: Path, recorder: VCRRecorder) -> None:
    workspace = ACIDWorkspace(repo, recorder)
    workspace.begin()
    recorder.record_step("plan", {"task": "x"}, {"plan": "edit app"})
    write(repo / "src" / "app.py", "step one\n")
    first = workspace.savepoint({"step": 1}, "edit")
    write(repo / "src" / "app.py", "step two\n")
    second = workspace.savepoint({"step": 2}, "edit again")

    recorded = frames(recorder.path)  # type: ignore[arg-type]
    assert [(name, kind) for name, kind, _ in recorded] == [
        ("plan", "node"),
        ("edit", "checkpoint"),
        ("edit again", "checkpoint"),
    ]
    assert recorded[1][2][COMMIT_HASH_KEY] == first.commit and first.frame_index == 1
    assert recorded[2][2][COMMIT_HASH_KEY] == second.commit and second.frame_index == 2
    assert git(repo, "show", f"{first.commit}:src/app.py") == "step one\n"
    assert git(repo, "show", f"{second.commit}:src/app.py") == "step two\n"
    assert first.commit in git(repo, "for-each-ref", f"refs/vcr/{workspace.session_id}/")
    with VCRReader(recorder.path) as reader:  # type: ignore[arg-type]
        assert reader.frame(1).output_state == {"step": 1}
        assert reader.session.metadata["workspace"] == str(repo.resolve())
        assert reader.session.metadata["acid_session"] == "agent-run"
    workspace.detach()


def test_rollback_to_a_frame_keeps_the_recording_and_continues_in_a_fork(repo: Path, recorder: VCRRecorder) -> None:
    workspace = ACIDWorkspace(repo, recorder)
    workspace.begin()
    write(repo / "a.txt", "1\n")
    target = workspace.savepoint({"n": 1}, "one")
    at_one = tree_state(repo)
    write(repo / "a.txt", "2\n")
    workspace.savepoint({"n": 2}, "two")
    recorder.record_step("three", {"n": 2}, {"n": 3})
    original_path = recorder.path
    assert original_path is not None
    original_bytes = original_path.read_bytes()

    result = workspace.rollback(0)

    assert tree_state(repo) == at_one
    assert original_path.read_bytes() == original_bytes  # every frame kept, nothing appended
    fork = result.recorder
    assert fork is not None and workspace.recorder is fork and fork.path != original_path
    with VCRReader(fork.path) as reader:  # type: ignore[arg-type]
        assert reader.session.parent_session_id == "agent-run"
        assert reader.session.forked_from_frame == 0
    forked = frames(fork.path)  # type: ignore[arg-type]
    assert forked[-2][0] == "fork:one"
    assert forked[-1][:2] == ("checkpoint:rollback", "checkpoint")
    assert forked[-1][2][COMMIT_HASH_KEY] == target.commit
    assert forked[-1][2]["acid_undo_commit"] == result.undo_snapshot.commit

    write(repo / "a.txt", "after the fork\n")
    workspace.savepoint({"n": 10}, "in the fork")
    assert frames(fork.path)[-1][0] == "in the fork"  # type: ignore[arg-type]
    assert original_path.read_bytes() == original_bytes
    # frame indexes now refer to the fork: its rollback checkpoint names the first snapshot
    assert workspace.snapshot_for(len(forked) - 1).commit == target.commit

    workspace.undo_rollback()
    assert workspace.recorder is recorder
    assert (repo / "a.txt").read_text() == "2\n"
    workspace.detach()


def test_frames_without_a_snapshot_are_refused_clearly(repo: Path, recorder: VCRRecorder) -> None:
    workspace = ACIDWorkspace(repo, recorder)
    workspace.begin()
    recorder.record_step("think", {}, {"thought": "..."})
    workspace.savepoint({}, "saved")
    files = tree_state(repo)
    with pytest.raises(SnapshotNotFoundError, match=r"frame 0 \(think\) has no snapshot"):
        workspace.rollback(0)
    with pytest.raises(SnapshotNotFoundError, match="no frame 7: the recording has 2 frames"):
        workspace.plan_rollback(7)
    assert tree_state(repo) == files
    workspace.detach()


def test_a_recording_written_inside_the_workspace_is_never_rolled_back(repo: Path) -> None:
    recorder = VCRRecorder(repo / ".vcr")
    recorder.start_session(session_id="inside")
    workspace = ACIDWorkspace(repo, recorder)
    workspace.begin()
    workspace.savepoint({"n": 0}, "s0")
    recorder.record_step("work", {}, {"done": True})
    workspace.savepoint({"n": 1}, "s1")
    assert recorder.path is not None
    before = recorder.path.read_bytes()

    workspace.rollback(0)
    workspace.abort()

    assert recorder.path.read_bytes() == before  # neither truncated nor deleted
    assert len(frames(recorder.path)) == 3
    fork_files = sorted(p.name for p in (repo / ".vcr").iterdir())
    assert len(fork_files) == 2  # the recording and its fork, both kept by the abort
    recorder.close()


def test_a_viewer_attaches_to_the_session_and_rolls_back_by_frame(repo: Path, recorder: VCRRecorder) -> None:
    workspace = ACIDWorkspace(repo, recorder)
    workspace.begin()
    write(repo / "a.txt", "kept\n")
    workspace.savepoint({}, "good")
    write(repo / "a.txt", "broken\n")
    write(repo / "junk.txt", "junk\n")
    workspace.savepoint({}, "bad")
    workspace.detach()  # the agent's process is done; its session stays open
    assert recorder.path is not None

    viewer = ACIDWorkspace.attach(repo, "agent-run", recording=recorder.path)
    plan = viewer.plan_rollback(0)
    assert (plan.restore, plan.delete) == (("a.txt",), ("junk.txt",))
    viewer.rollback(0)
    assert (repo / "a.txt").read_text() == "kept\n" and not (repo / "junk.txt").exists()
    viewer.detach()

    again = ACIDWorkspace.attach(repo, "agent-run")  # the recording named at begin is used
    assert again.status().recording == recorder.path
    again.undo_rollback()  # the undo stack survives between processes
    assert (repo / "a.txt").read_text() == "broken\n"
    assert again.commit().commit is not None


def test_a_frame_naming_a_foreign_commit_is_refused(repo: Path, tmp_path: Path) -> None:
    workspace = ACIDWorkspace(repo)
    workspace.begin("real")
    workspace.savepoint({}, "s0")
    head = git(repo, "rev-parse", "HEAD").strip()
    forged = tmp_path / "forged.vcr"
    forged.write_text(
        json.dumps({"type": "session", "data": {"session_id": "forged"}})
        + "\n"
        + json.dumps(
            {
                "type": "frame",
                "data": {
                    "frame_id": "f",
                    "session_id": "forged",
                    "node_name": "x",
                    "frame_type": FrameType.CHECKPOINT.value,
                    "metadata": {"custom": {COMMIT_HASH_KEY: head}},
                },
            }
        )
        + "\n",
        encoding="utf-8",
    )
    workspace.detach()
    viewer = ACIDWorkspace.attach(repo, "real", recording=forged)
    with pytest.raises(SnapshotNotFoundError, match="not one of session 'real'"):
        viewer.rollback(0)
    with pytest.raises(SessionError, match="belongs to the workspace"):
        ACIDWorkspace.attach(repo / "src", "real")
    viewer.abort()
