"""Edit, fork and resume on the file screen (a mixin): the keys ``e`` ``E`` ``f`` ``r`` and ``x``.

- ``e`` / ``E`` edit the selected frame's input / output (``StateEditing``, in its own module).
- ``f`` writes a fork at the selected frame (with its edit) and offers to open it.
- ``r`` resumes: a worker thread imports the agent, the engine forks and runs it from the frame
  with its edit, and the fork is opened as soon as its file exists; that screen follows the
  frames as they arrive and ends with the outcome. ``x`` cancels (at the agent's next step).

Which agent ``r`` may run is decided in ``agent_choice``: one the user named, or the recording's
own entry point after a confirmation dialog. Opening a recording never runs code.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType

from recorder.vocabulary import ResumeMode
from vcr_tui.commands import Command, ListedCommands
from vcr_tui.host import options_of
from vcr_tui.logic.fork_place import fork_folder, is_private_copy, recording_file
from vcr_tui.logic.formatting import format_count
from vcr_tui.logic.frame_store import FrameStore
from vcr_tui.logic.safe_text import clean
from vcr_tui.messages import ForkWritten, ResumeEnded, ResumeForked
from vcr_tui.screens.debugger.agent_prompt import ORIGIN as TYPED_AGENT
from vcr_tui.screens.debugger.agent_prompt import ask_for_agent
from vcr_tui.screens.debugger.state_editing import StateEditing
from vcr_tui.screens.debugger.unsaved_edits import mark_carried
from vcr_tui.theme import LABEL_STYLE

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from vcr_tui.logic.agent_choice import AgentChoice
    from vcr_tui.logic.resume_run import Outcome as RunOutcome
    from vcr_tui.logic.resume_run import ResumeRequest, ResumeRun
    from vcr_tui.screens.choice_screen import ChoiceScreen

# The fork and resume machinery (the engine's forking and resume, agent loading, the banner) is
# imported where a fork or a resume starts, not with the screen: opening a recording does not need it.


FOLLOW_INTERVAL = 0.05  # seconds between looks at a fork that is being written
CATCH_UP_SECONDS = 5.0  # after the run, how long to wait for its last frames to be shown
KEPT_NOTE = (
    "This recording is a temporary copy (streamed or over ssh) deleted when vcr-tui exits,"
    " so the fork is kept in ./.vcr/ under the current folder instead."
)
MODE_HELP = {
    ResumeMode.REPLAY: "steps whose input is unchanged come from the recording, at zero tokens",
    ResumeMode.FORK: "every step from the frame on runs live",
    ResumeMode.MOCK: "steps after the frame whose output you edited (E) return that output",
}


TIME_TRAVEL_BINDINGS: list[BindingType] = [
    Binding(
        "e",
        "edit('input')",
        "edit",
        tooltip="edit this frame's input state as JSON ($VISUAL/$EDITOR; r then resumes with it)",
        id="file.edit",
    ),
    Binding(
        "E",
        "edit('output')",
        "edit output",
        show=False,
        tooltip="edit this frame's output state",
        id="file.edit-output",
    ),
    Binding("f", "fork", "fork", tooltip="fork the run at this frame, with its edit, into a new file", id="file.fork"),
    Binding(
        "r",
        "resume",
        "resume",
        tooltip="resume the run from this frame with its edit, into a fork (REPLAY: unchanged steps cost nothing)",
        id="file.resume",
    ),
    Binding(
        "x",
        "cancel_resume",
        "cancel resume",
        tooltip="cancel the running resume (the agent stops at its next step)",
        id="file.cancel-resume",
    ),
]


class TimeTravel(StateEditing):
    """``e`` ``E`` ``f`` ``r`` ``x`` for ``FileScreen``; it uses the screen's store, panes and edits."""

    # -- f: fork -----------------------------------------------------------------------------

    def action_fork(self) -> None:
        index = self._chosen_frame("fork")
        if index is None:
            return
        state, edit_output = self.edit_for(index)
        self._fork_worker(index, state, edit_output, self.recording_file(), fork_folder(self.source))

    @work(thread=True, group="fork", exit_on_error=False)
    def _fork_worker(
        self, index: int, state: dict[str, Any] | None, edit_output: bool, recording: Path, folder: Path | None
    ) -> None:
        from recorder.forking import fork_recording  # the fork machinery loads with the first fork

        try:
            recorder = fork_recording(recording, index, state=state, edit_output=edit_output, output_dir=folder)
            recorder.close()
        except Exception as exc:  # a folder we cannot write to, a file gone since it was opened, ...
            from vcr_tui.logic.resume_run import failure_reason

            self.post_message(ForkWritten(index, None, failure_reason(exc)))
            return
        self.post_message(ForkWritten(index, recorder.path))

    def on_fork_written(self, message: ForkWritten) -> None:
        if message.path is None:
            self.say(f"Cannot fork at #{message.index}: {message.error}", severity="error", timeout=10)
            return
        self.refresh_session_lists()
        mark_carried(self, message.index)  # its edits are saved in the fork
        path = message.path
        state, edit_output = self.edit_for(message.index)
        if state is None:
            start = "the recorded input"
        else:
            start = "your edited output" if edit_output else "your edited input"
        body = Text("A new recording continues this one from ")
        body.append(f"#{message.index} {clean(self._node_name(message.index))}", style="bold")
        body.append(f", starting from {start}:\n\n  ")
        body.append(clean(str(path)), style="bold")
        body.append(
            "\n\nIts header names this run as its parent, forked from frame "
            f"{message.index}. This recording is unchanged.",
            style=LABEL_STYLE,
        )
        if is_private_copy(self.source):
            body.append(f"\n\n{KEPT_NOTE}", style="bold")
        from vcr_tui.screens.choice_screen import Choice, ChoiceScreen  # the dialog loads when asked

        choices = [Choice(("o", "enter"), "open the fork", True), Choice(("escape", "s"), "stay here", False)]

        def answer(open_it: bool | None) -> None:
            if open_it:
                self.open_recording(path)

        self.app.push_screen(ChoiceScreen("Fork written", body, choices, cancel=False), answer)

    def open_recording(self, path: Path, following: ResumeRun | None = None) -> None:
        """Show another recording (a fork) on top of this one; Escape comes back here."""
        follow = following is not None or options_of(self).follow  # type: ignore[arg-type]
        from vcr_tui.screens.debugger.file_screen import FileScreen  # the screen this part belongs to

        screen = FileScreen(path, from_directory=True, follow=follow)
        screen.following = following
        self.app.push_screen(screen)

    def refresh_session_lists(self) -> None:
        """Folder views under this screen list the new fork under its parent when shown again."""
        for screen in self.app.screen_stack:
            refresh = getattr(screen, "refresh_sessions", None)
            if refresh is not None:
                refresh()

    # -- r: resume ---------------------------------------------------------------------------

    def action_resume(self, mode: str = "") -> None:
        if self.resume_run is not None and self.resume_run.running:
            self.say("A resume from this recording is running: x cancels it.", severity="warning")
            return
        index = self._chosen_frame("resume")
        if index is None or self.store is None:
            return
        from vcr_tui.logic.agent_choice import METADATA_KEY, NoAgent, choose_agent  # loads with the first r

        settings = options_of(self).agents  # type: ignore[arg-type]
        metadata = self.store.session.metadata
        choice = choose_agent(settings, metadata)
        if isinstance(choice, NoAgent):
            if metadata.get(METADATA_KEY):  # named, but unusable: say so, then ask as when it names none
                self.say(choice.reason, severity="warning", timeout=12)
            ask_for_agent(self, index, mode)  # type: ignore[arg-type]
            return
        if not choice.needs_confirmation:
            self.resume_with_agent(index, choice.spec, mode)
            return

        def answer(run_it: bool | None) -> None:
            if run_it:
                settings.approved.add(choice.spec)
                self.resume_with_agent(index, choice.spec, mode)
            else:
                self.say("Nothing was run.")

        self.app.push_screen(confirm_agent_dialog(choice), answer)

    def resume_with_agent(self, index: int, spec: str, mode: str = "") -> None:
        """Resume from frame ``index`` with an agent the user named or confirmed."""
        settings = options_of(self).agents  # type: ignore[arg-type]
        self._start_resume(self._resume_request(index, spec, ResumeMode(mode) if mode else settings.mode))

    def _resume_request(self, index: int, spec: str, mode: ResumeMode) -> ResumeRequest:
        state, edit_output = self.edit_for(index)
        mocks: dict[str, Any] = {}
        if mode is ResumeMode.MOCK:
            for later, value in self.view.edits.outputs_after(index):
                mocks[self._node_name(later)] = value
        from vcr_tui.logic.resume_run import ResumeRequest

        source, store = self.recording_file(), self.store
        return ResumeRequest(
            source,
            index,
            self._node_name(index),
            spec,
            mode,
            state,
            edit_output,
            mocks,
            output_dir=fork_folder(self.source),
            reader=store.reader_for_worker(source) if isinstance(store, FrameStore) else None,
        )

    def recording_file(self) -> Path:
        """The file on disk that ``f`` and ``r`` read this recording from."""
        store_path = getattr(self.store, "path", None)
        return recording_file(Path(self.path), self.source, store_path)

    def _start_resume(self, request: ResumeRequest) -> None:
        from vcr_tui.logic.resume_run import ResumeRun

        run = ResumeRun(request)
        self.resume_run = run
        mark_carried(self, request.from_frame)  # its edits are saved in the fork the run writes
        self.refresh_bindings()
        if request.mode is ResumeMode.MOCK:
            self.say(
                f"MOCK mode: {format_count(len(request.mocks), 'step')} mocked"
                f" (E on a frame after #{request.from_frame} sets what its step returns).",
                timeout=6,
            )
        self._resume_worker(run)

    @work(thread=True, group="resume", exit_on_error=False)
    def _resume_worker(self, run: ResumeRun) -> None:
        from vcr_tui.logic.resume_run import execute

        summary = execute(run, lambda path: self.post_message(ResumeForked(run, path)))
        run.summary = summary
        self.post_message(ResumeEnded(run))

    def on_resume_forked(self, message: ResumeForked) -> None:
        if message.run is self.resume_run:
            self.open_recording(message.path, following=message.run)
            self.refresh_session_lists()
            if message.run.request.output_dir is not None:
                self.say(f"The resumed run is written to {clean(str(message.path))}\n{KEPT_NOTE}", timeout=12)

    def on_resume_ended(self, message: ResumeEnded) -> None:
        run = message.run
        if self.following is run:  # handed on by the screen that started it: show the outcome
            self.view.resume.end_known = True
            self._resume_tick()
            return
        if self.resume_run is run:
            self.resume_run = None
        self.refresh_bindings()
        self.refresh_session_lists()
        followers = [screen for screen in self.app.screen_stack if getattr(screen, "following", None) is run]
        for screen in followers:
            screen.post_message(ResumeEnded(run))
        if followers:
            return  # the fork's screen shows the outcome
        summary = run.summary
        if summary is not None:
            text = summary.headline() + ("\n" + summary.detail() if summary.detail() else "")
            self.say(text, severity=_severity(summary.outcome), timeout=12)

    # -- x: cancel -----------------------------------------------------------------------------

    def action_cancel_resume(self) -> None:
        run = self.active_run()
        if run is None:
            self.say("No resume is running.")
            return
        run.cancel.set()
        self.say("Cancelling: the agent stops at its next step.", timeout=3)

    def active_run(self) -> ResumeRun | None:
        """The running resume this screen started or shows, if any."""
        for run in (self.resume_run, self.following):
            if run is not None and run.running:
                return run
        return None

    def check_time_travel_action(self, action: str) -> bool | None:
        """For the screen's ``check_action``: ``x`` exists only while a resume runs."""
        if action == "cancel_resume":
            return self.active_run() is not None
        return True

    # -- following the fork of a running resume ---------------------------------------------------

    def on_mount(self) -> None:
        if self.following is None:
            return
        from vcr_tui.widgets.resume_banner import ResumeBanner

        banner = ResumeBanner(self.following, id="resume-banner")
        self.mount(banner, before=self.query_one("#panes"))
        banner.show_progress(0)
        self.view.resume.timer = self.set_interval(FOLLOW_INTERVAL, self._resume_tick)

    def on_unmount(self) -> None:
        if self.resume_run is not None:
            self.resume_run.cancel.set()  # nobody is left to show it: stop the agent

    def _resume_tick(self) -> None:
        """Keep the banner current, and show the outcome once the fork has every frame on screen.

        The screen follows the growing fork itself when it can (``source``); where it cannot,
        the fork is polled here.
        """
        from vcr_tui.logic.resume_run import Outcome
        from vcr_tui.widgets.resume_banner import ResumeBanner

        run = self.following
        store = self.store
        if run is None or not isinstance(store, FrameStore):
            return  # still opening (a preview of the first frames, or nothing yet)
        polling = getattr(self, "source", None) is None
        summary = run.summary if self.view.resume.end_known else None  # first: an update below sees every frame
        if not self.view.resume.view_started:
            self.view.resume.view_started = True
            if polling:
                self.set_live("LIVE")
            self.frame_list.move_to(len(store) - 1)
        if polling:
            update = store.update()
            if update.reset or update.new_frames:
                self.frames_appended(update.new_frames, reset=update.reset)
        banner = self.query_one(ResumeBanner)
        shown = self.frame_list.frame_count
        if summary is None:
            banner.show_progress(shown)
            return
        ended = run.started + summary.seconds
        if shown < summary.totals.frames and time.monotonic() - ended < CATCH_UP_SECONDS:
            return  # the follower has not shown the last frames yet
        if self.view.resume.timer is not None:
            self.view.resume.timer.stop()
        if polling:
            self.set_live(None)
        else:
            self.writer_finished(
                f"the resumed run ended ({summary.outcome.value}): nothing more is written to this fork"
            )
        self.frame_list.move_to(self.frame_list.frame_count - 1)
        banner.show_result()
        self.refresh_bindings()
        if summary.outcome is not Outcome.SUCCEEDED:  # the banner says it; a failure is worth a toast too
            self.say(summary.headline(), severity=_severity(summary.outcome), timeout=8)

    # -- helpers -----------------------------------------------------------------------------

    def _chosen_frame(self, verb: str) -> int | None:
        store = self.store
        if store is None or not store.complete:
            self.say(f"Wait until the recording is open to {verb}.", severity="warning")
            return None
        if not len(store):
            self.say(f"This recording has no frames to {verb} from.", severity="warning")
            return None
        return self.frame_list.cursor


def confirm_agent_dialog(choice: AgentChoice) -> ChoiceScreen[bool]:
    """The question asked before running an agent named by a recording (never by default)."""
    from vcr_tui.screens.choice_screen import Choice, ChoiceScreen

    typed = choice.origin == TYPED_AGENT
    body = Text("You named this agent:\n\n" if typed else "This recording names the agent that made it:\n\n")
    module, _, callable_name = choice.spec.rpartition(":")
    body.append("    module    ", style=LABEL_STYLE)
    body.append(clean(module), style="bold")
    body.append("\n    callable  ", style=LABEL_STYLE)
    body.append(clean(callable_name), style="bold")
    body.append("\n\nResuming imports that module (the current folder first) and ")
    body.append("runs its code", style="bold")
    trusted = "that module" if typed else "this recording and that module"
    body.append(f": it can do anything you can do. Continue only if you trust {trusted}.")
    body.append(
        f"\n\nAsked once each time vcr-tui runs. To skip the question, start it with\n  --agent {clean(choice.spec)}",
        style=LABEL_STYLE,
    )
    choices = [Choice(("y",), "yes, import and run it", True), Choice(("n", "escape"), "no, run nothing", False)]
    title = "Run the agent you named?" if typed else "Run code named by this recording?"
    return ChoiceScreen(title, body, choices, cancel=False, tone="warning")


def _severity(outcome: RunOutcome) -> SeverityLevel:
    from vcr_tui.logic.resume_run import Outcome

    if outcome is Outcome.SUCCEEDED:
        return "information"
    return "warning" if outcome is Outcome.CANCELLED else "error"


class ResumeCommands(ListedCommands):
    """Palette entries for the modes ``r`` does not use by default, and for dropping an edit."""

    def commands(self) -> list[Command]:
        entries = [
            (f"Resume from this frame in {mode.value.upper()} mode", f"resume('{mode.value}')", MODE_HELP[mode])
            for mode in ResumeMode
        ]
        entries.append(("Discard the edits of this frame", "discard_edits", "show the recorded states again"))
        return [(name, self.run_later(self.screen, action), help_text) for name, action, help_text in entries]
