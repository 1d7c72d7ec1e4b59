"""``u`` then ``y`` through the app, asserted on the messages: the confirmation reads no recording.

The recording is moved away once the dry run is on screen; the rollback must still be made from
the snapshot the dry run named. A message hook records what reached the file screen.
"""

from __future__ import annotations

from pathlib import Path

from textual._context import active_message_pump
from textual.message import Message

from tests.app.test_app_workspace import GOOD, RecordedRun, dialog, open_at
from tests.app.test_app_workspace import run as run  # noqa: PLC0414  (the run fixture, by its name)
from tests.support.acid_support import (
    git_home_fixture,  # noqa: F401  (the git_home fixture)
    repo_fixture,  # noqa: F401  (the repo fixture)
    tree_state,
)
from tests.support.app_support import notifications, press
from vcr_tui.app import VCRApp
from vcr_tui.logic.workspace_link import RollbackProposal
from vcr_tui.messages import WorkspaceFinished, WorkspaceProposed
from vcr_tui.screens.debugger.file_screen import FileScreen
from vcr_tui.screens.debugger.workspace_dialogs import RollbackDialog


async def test_y_rolls_back_from_the_dry_runs_snapshot_without_the_recording(run: RecordedRun) -> None:
    seen: list[tuple[Message, object]] = []

    def hook(message: Message) -> None:
        if isinstance(message, (WorkspaceProposed, WorkspaceFinished)):
            seen.append((message, active_message_pump.get()))

    app = VCRApp(run.recording, workspace=run.repo)
    async with app.run_test(size=(120, 35), message_hook=hook) as pilot:
        screen = await open_at(pilot, GOOD)
        await press(pilot, "u")
        dialog(app, RollbackDialog)
        moved = run.recording.rename(run.recording.with_suffix(".moved"))  # nothing may read it now
        await press(pilot, "y")

        assert isinstance(app.screen, FileScreen)
        to_screen = [message for message, pump in seen if pump is screen]
        proposed = [m for m in to_screen if isinstance(m, WorkspaceProposed)]
        finished = [m for m in to_screen if isinstance(m, WorkspaceFinished)]
        assert len(proposed) == 1 and len(finished) == 1
        proposal = proposed[0].proposal
        assert isinstance(proposal, RollbackProposal) and proposal.frame_index == GOOD
        assert not finished[0].failed, finished[0].text
        assert "Files rolled back to frame #1" in notifications(app)
    assert tree_state(run.repo) == run.files_at_good
    assert isinstance(moved, Path) and moved.exists()
