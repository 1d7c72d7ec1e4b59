"""What crosses the seam between a resume's worker and the screens, asserted on the messages.

The demo agent resumes for real; a message hook records every message as it is dispatched and
the screen that receives it, so the tests say who was told what, and how often. Waits are on
the app's own state (the outcome on the banner), never on time.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual._context import active_message_pump
from textual.message import Message
from textual.message_pump import MessagePump

from recorder import VCRReader
from tests.app.test_fork_resume_keys import demo_agent, resume_after_the_fix
from tests.support.app_support import SIZE, file_screen, settle
from vcr_tui.app import VCRApp
from vcr_tui.demo import record_demo
from vcr_tui.logic.resume_run import Outcome
from vcr_tui.messages import ResumeEnded, ResumeForked
from vcr_tui.screens.debugger.file_screen import FileScreen


@pytest.fixture(autouse=True)
def no_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCR_DEMO_DELAY", "0")


class Delivered:
    """Every message of the kinds asked for, with the pump (screen, widget, app) it was dispatched to."""

    def __init__(self, *kinds: type[Message]) -> None:
        self.kinds = kinds
        self.seen: list[tuple[Message, MessagePump]] = []

    def __call__(self, message: Message) -> None:
        if isinstance(message, self.kinds):
            self.seen.append((message, active_message_pump.get()))

    def to(self, receiver: MessagePump, kind: type[Message]) -> list[Message]:
        return [message for message, pump in self.seen if pump is receiver and isinstance(message, kind)]


async def test_the_end_of_a_resume_reaches_each_screen_once(tmp_path: Path) -> None:
    delivered = Delivered(ResumeForked, ResumeEnded)
    app = VCRApp(record_demo(tmp_path / "runs"), agent=demo_agent())
    async with app.run_test(size=SIZE, message_hook=delivered) as pilot:
        await settle(pilot)
        parent = file_screen(app)
        fork = await resume_after_the_fix(pilot, app)
        await settle(pilot)

        run = fork.following
        assert run is not None and run.summary is not None and run.summary.outcome is Outcome.SUCCEEDED
        assert len(delivered.to(parent, ResumeForked)) == 1
        ended_parent, ended_fork = delivered.to(parent, ResumeEnded), delivered.to(fork, ResumeEnded)
        assert len(ended_parent) == 1 and len(ended_fork) == 1  # one message each, no second way in
        assert all(isinstance(m, ResumeEnded) and m.run is run for m in ended_parent + ended_fork)
        assert "Resume succeeded" in str(fork.query_one("#resume-banner").render())


async def test_the_resume_reads_the_parent_through_the_index_the_screen_built(tmp_path: Path) -> None:
    """``r`` hands the engine a reader on the screen's own index: the parent is not indexed again."""
    delivered = Delivered(ResumeForked)
    app = VCRApp(record_demo(tmp_path / "runs"), agent=demo_agent())
    async with app.run_test(size=SIZE, message_hook=delivered) as pilot:
        await settle(pilot)
        parent = file_screen(app)
        fork = await resume_after_the_fix(pilot, app)

        (forked,) = delivered.to(parent, ResumeForked)
        assert isinstance(forked, ResumeForked) and forked.run is fork.following
        shared = forked.run.request.reader
        store = parent.store
        assert isinstance(shared, VCRReader) and store is not None and isinstance(store.reader, VCRReader)
        assert shared is not store.reader and shared._index is store.reader._index
        assert isinstance(fork, FileScreen) and fork.following is not None
        summary = fork.following.summary
        assert summary is not None and (summary.totals.replayed, summary.totals.live) == (2, 3)
