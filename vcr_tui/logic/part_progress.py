"""Where the debugger's parts stand between two messages: following, a resume, an edit, the workspace.

The screen's parts are handlers and bindings; what they remember between two messages lives
here, in the screen's view model, so a part holds no state of its own and a test can read (or
set up) where following or a resume stands without reaching into a screen. Timers are the
app's; they are kept as anything that can be stopped, so this module needs no Textual.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from vcr_tui.logic.editing import StateDraft
    from vcr_tui.logic.resume_run import ResumeRun
    from vcr_tui.sources import SourceState

Phase = Literal["idle", "starting", "running", "closed"]


class Stoppable(Protocol):
    """A timer, as far as a part needs one: it can be stopped."""

    def stop(self) -> None: ...


@dataclass(eq=False, repr=False)
class FollowProgress:
    """Following a source: its worker's phase, what the screen has taken from it, and its timers.

    ``phase`` goes idle → starting (the worker opens the source) → running → closed (the screen
    went away); ``lock`` guards it, as the worker and the screen change it from two threads.
    """

    phase: Phase = "idle"
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    opened: bool = False  # the screen shows the source's store
    generation: int = 0  # the reader's generation the screen shows: another one means a reload
    source_state: SourceState | None = None  # the last state the source reported
    source_message: str = ""
    last_update: float = 0.0  # monotonic time the screen last took an update
    update_timer: Stoppable | None = None  # a coalesced update waiting to be taken
    badge_timer: Stoppable | None = None  # turns a quiet LIVE into IDLE

    def stop_timers(self) -> None:
        for timer in (self.update_timer, self.badge_timer):
            if timer is not None:
                timer.stop()
        self.update_timer = self.badge_timer = None


@dataclass(eq=False, repr=False)
class ResumeProgress:
    """A resume started from this screen: the run, and how far the screen has shown it."""

    run: ResumeRun | None = None  # started from this screen: its worker runs here
    following: ResumeRun | None = None  # the run whose fork this screen shows (the screen it started on gave it)
    end_known: bool = False  # this screen's ResumeEnded arrived (the one way the end reaches it)
    view_started: bool = False  # the fork is on screen
    timer: Stoppable | None = None  # brings the fork's new frames in while it runs


@dataclass(eq=False, repr=False)
class EditProgress:
    """A state handed to the editor: the draft being edited, and one begun on a file since replaced."""

    draft: StateDraft | None = None
    stale_draft: StateDraft | None = None


@dataclass(eq=False, repr=False)
class WorkspaceProgress:
    """The workspace keys: the folder a recording named once the user accepted it, and the work under way."""

    accepted: str | None = None
    running: str | None = None  # what a worker is doing to the workspace now
