"""Where the debugger's parts stand between two messages: following, a resume, an edit, the workspace.

The screen's parts are handlers and bindings; what they remember between two messages lives
here, in the screen's view model, so a part holds no state of its own and a test can read (or
set up) where following or a resume stands without reaching into a screen. Timers are the
app's; they are kept as anything that can be stopped, so this module needs no Textual.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from vcr_tui.logic.editing import StateDraft
    from vcr_tui.logic.resume_run import ResumeRun
    from vcr_tui.sources import SourceState

Phase = Literal["idle", "starting", "running", "closed"]


class Stoppable(Protocol):
    """A timer, as far as a part needs one: it can be stopped."""

    def stop(self) -> None: ...


class FollowProgress:
    """Following a source: its worker's phase, what the screen has taken from it, and its timers.

    ``phase`` goes idle → starting (the worker opens the source) → running → closed (the screen
    went away); ``lock`` guards it, as the worker and the screen change it from two threads.
    """

    __slots__ = (
        "badge_timer",
        "generation",
        "last_update",
        "lock",
        "opened",
        "phase",
        "source_message",
        "source_state",
        "update_timer",
    )

    def __init__(
        self,
        phase: Phase = "idle",
        opened: bool = False,
        generation: int = 0,
        source_state: SourceState | None = None,
        source_message: str = "",
        last_update: float = 0.0,
        update_timer: Stoppable | None = None,
        badge_timer: Stoppable | None = None,
    ) -> None:
        self.phase = phase
        self.lock = threading.Lock()
        self.opened = opened  # the screen shows the source's store
        self.generation = generation  # the reader's generation the screen shows: another one means a reload
        self.source_state = source_state  # the last state the source reported
        self.source_message = source_message
        self.last_update = last_update  # monotonic time the screen last took an update
        self.update_timer = update_timer  # a coalesced update waiting to be taken
        self.badge_timer = badge_timer  # turns a quiet LIVE into IDLE

    def stop_timers(self) -> None:
        for timer in (self.update_timer, self.badge_timer):
            if timer is not None:
                timer.stop()
        self.update_timer = self.badge_timer = None


class ResumeProgress:
    """A resume started from this screen: the run, and how far the screen has shown it."""

    __slots__ = ("end_known", "following", "run", "timer", "view_started")

    def __init__(
        self,
        run: ResumeRun | None = None,
        following: ResumeRun | None = None,
        end_known: bool = False,
        view_started: bool = False,
        timer: Stoppable | None = None,
    ) -> None:
        self.run = run  # started from this screen: its worker runs here
        self.following = following  # the run whose fork this screen shows (the screen it started on gave it)
        self.end_known = end_known  # this screen's ResumeEnded arrived (the one way the end reaches it)
        self.view_started = view_started  # the fork is on screen
        self.timer = timer  # brings the fork's new frames in while it runs


class EditProgress:
    """A state handed to the editor: the draft being edited, and one begun on a file since replaced."""

    __slots__ = ("draft", "stale_draft")

    def __init__(self, draft: StateDraft | None = None, stale_draft: StateDraft | None = None) -> None:
        self.draft = draft
        self.stale_draft = stale_draft


class WorkspaceProgress:
    """The workspace keys: the folder a recording named once the user accepted it, and the work under way."""

    __slots__ = ("accepted", "running")

    def __init__(self, accepted: str | None = None, running: str | None = None) -> None:
        self.accepted = accepted
        self.running = running  # what a worker is doing to the workspace now
