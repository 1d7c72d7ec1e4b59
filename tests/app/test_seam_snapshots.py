"""How a fork, the resume banner on a fork and the rollback dialog look, at 120×35.

Baselines in ``snapshots/test_seam_snapshots/``. Every recording has fixed ids and timestamps,
the fork gets a fixed id and clock, and the rollback's dry run names a fixed folder, so the
pictures change only when the screens' look does. Each screen is reached the way a user reaches
it (``f``; a resume's end delivered as its message; a dry run delivered as its message).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from recorder import ForkTotals, ResumeMode
from recorder.acid import RollbackPlan, Snapshot
from recorder.acid.models import SnapshotKind
from tests.support.app_support import file_screen, settle, wait_until
from vcr_tui.app import VCRApp
from vcr_tui.logic.resume_run import Outcome, ResumeRequest, ResumeRun, ResumeSummary
from vcr_tui.logic.workspace_link import Origin, ProposalKind, RollbackProposal, WorkspaceTarget
from vcr_tui.messages import ResumeEnded, WorkspaceProposed
from vcr_tui.screens.debugger.file_screen import FileScreen
from vcr_tui.widgets.resume_banner import ResumeBanner

SIZE = (120, 35)
FIXED_TIME = "2026-11-26T09:30:00.000000+00:00"


@pytest.fixture
def fixed_fork_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fork written now gets the same id and timestamps in every run."""
    monkeypatch.setattr("recorder.writer.new_session_id", lambda: "fork-of-run-1")
    monkeypatch.setattr("recorder.writer.now_iso", lambda: FIXED_TIME)
    monkeypatch.setattr("recorder.writer._now_iso", lambda: FIXED_TIME)


def test_fork_opened_after_f(snap_compare, app_recordings, fixed_fork_identity) -> None:
    """``f`` on frame 2, then ``o``: the fork on screen, its prefix marked replayed, the fork point last."""
    recording = app_recordings.demo()

    def showing_the_fork(app: object) -> bool:
        screen = getattr(app, "screen", None)
        store = getattr(screen, "store", None)
        return isinstance(screen, FileScreen) and store is not None and store.session.session_id == "fork-of-run-1"

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("j", "j", "f")
        await wait_until(pilot, lambda: not isinstance(pilot.app.screen, FileScreen), "the fork dialog")
        await settle(pilot)
        await pilot.press("o")
        await wait_until(pilot, lambda: showing_the_fork(pilot.app), "the fork's screen")
        await settle(pilot)

    assert snap_compare(VCRApp(recording), terminal_size=SIZE, run_before=run_before)


def ended_run(parent: Path, fork: Path) -> ResumeRun:
    """A REPLAY resume from frame 1 that succeeded, as its worker leaves it (summary in place)."""
    run = ResumeRun(ResumeRequest(parent, 1, "llm:gpt-4o-mini", "agent:run", ResumeMode.REPLAY))
    run.fork_path = fork
    totals = ForkTotals()  # as the engine counts them while it writes the fork
    totals.frames, totals.replayed, totals.live = 4, 1, 2
    ledger = totals.ledger  # spent 1,151 tokens / $0.0024, saved 508 tokens / $0.0021
    ledger.replay_tokens, ledger.replay_cost_usd = 1151, 0.0024
    ledger.original_tokens, ledger.original_cost_usd = 1151 + 508, 0.0024 + 0.0021
    run.summary = ResumeSummary(Outcome.SUCCEEDED, fork_path=fork, totals=totals, seconds=1.4)
    run.started -= run.summary.seconds
    return run


def test_resume_banner_on_the_fork(snap_compare, app_recordings) -> None:
    parent = app_recordings.demo_into(app_recordings.folder / "run-1.vcr", "run-1", created="2026-11-26T09:00:00Z")
    fork = app_recordings.demo_into(
        app_recordings.folder / "fork-1.vcr", "fork-1", created="2026-11-26T09:05:00Z", parent="run-1", forked_from=1
    )
    run = ended_run(parent, fork)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        file_screen(pilot.app).open_recording(fork, following=run)
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, FileScreen) and pilot.app.screen.following is run)
        screen = pilot.app.screen
        await settle(pilot)
        screen.post_message(ResumeEnded(run))  # what the parent's screen hands on when the worker ends
        await wait_until(pilot, lambda: screen.query_one(ResumeBanner).has_class("-succeeded"), "the outcome")
        await settle(pilot)

    assert snap_compare(VCRApp(parent), terminal_size=SIZE, run_before=run_before)


def dry_run(recording: Path) -> RollbackProposal:
    folder = Path("/srv/agent-workspace")
    snapshot = Snapshot(SnapshotKind.SAVEPOINT, 1, "3f" * 20, "7a" * 20, "saved", 4, "2026-11-26T09:10:00Z")
    plan = RollbackPlan(
        snapshot,
        folder,
        restore=("src/app.py", "src/util.py"),
        create=("tests/test_app.py",),
        delete=("notes/scratch.md", "src/generated.py"),
        keep=("TODO.txt",),
    )
    return RollbackProposal(ProposalKind.ROLLBACK, WorkspaceTarget(folder, Origin.OPTION, recording, "run-1"), 4, plan)


def test_rollback_dialog(snap_compare, app_recordings) -> None:
    recording = app_recordings.demo()

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        file_screen(pilot.app).post_message(WorkspaceProposed(dry_run(recording)))
        await wait_until(pilot, lambda: not isinstance(pilot.app.screen, FileScreen), "the rollback dialog")
        await settle(pilot)

    assert snap_compare(VCRApp(recording), terminal_size=SIZE, run_before=run_before)
