"""The file screen's side of a followed recording: frames appear as they are written.

A ``Source`` (a growing local file, a pipe, a file on another host over ssh) runs its own threads
and only rings a bell: ``SourceChanged`` carries nothing, and the source merges everything that
happens until the screen takes it. So a writer appending 2,000 frames a second costs the screen
one update per tick, never a queue of messages.

What the user sees follows one rule: while the cursor is on the last frame the view follows the
end (LIVE); anywhere else it stays put and counts the frames it has not shown (PAUSED, "+N new
frames"); reaching the last frame again (End, G, F) resumes following. A pipe or a remote file
starts empty, so its view follows from the start; a local file still being written (no totals,
written to lately) opens on its newest frame and follows, once indexed (its first screen comes
from the head of the file); a finished or abandoned one opens on its first frame, as any
recording does.
A file that was replaced or cut short is read again from the start, and the screen reloads as a
whole: a changed ``LiveReader.generation`` is the only sign needed, since the reader swaps files
in one step.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from textual import work

from recorder import Problem
from recorder.models import ProblemKind
from vcr_tui.host import report_failure
from vcr_tui.logic.formatting import format_count
from vcr_tui.logic.frame_store import FrameStore
from vcr_tui.logic.frame_view import merged_problems
from vcr_tui.logic.live_badge import honest_marker, is_being_written, is_complete, quiet_for, recheck_in
from vcr_tui.logic.safe_text import clean
from vcr_tui.messages import RecordingFailed, RecordingOpened, SourceChanged
from vcr_tui.screens.debugger.screen_parts import PartBase
from vcr_tui.sources import LocalPath, Source, SourceError, SourceState, SourceStatus, SourceUpdate

if TYPE_CHECKING:
    pass


# At most this many screen updates a second come from a source: well inside the 250 ms budget
# for a new frame to show, and a fast writer cannot keep the screen busy redrawing.
MIN_UPDATE_INTERVAL = 0.05

# How long a source's start waits for the head's frames to be drawn (then it starts anyway).
HEAD_PAINT_WAIT = 0.5

# The states that keep the view following or paused; the others show their own marker.
_FOLLOWING_STATES = {SourceState.LIVE}
_SILENT_STATES = {SourceState.STATIC, SourceState.CLOSED}


class LiveFrameStore(FrameStore):
    """The store of a followed recording: moments of writing are not reported as problems.

    What the reader reports about a file still being written is no fault of it: the frame being
    written (its line has no newline yet), and a stream whose header has not come yet.

    Once the source has ended (or failed), ``growing`` is False and an unfinished last line is
    reported: the stream was cut off in the middle of a frame. A recording with no frames at all
    is not blamed for its missing header; the screen says it has no frames.
    """

    growing = True

    @property
    def problems(self) -> list[Problem]:
        found = super().problems
        empty = len(self) == 0  # nothing received yet: "no frames" says it all
        return [
            problem
            for problem in found
            if not (self.growing and problem.kind is ProblemKind.INCOMPLETE)
            and not (empty and problem.kind is ProblemKind.NO_HEADER)
        ]


class LiveFollowing(PartBase):
    """Following for ``FileScreen`` (a mixin: it drives the screen's list, panes and status)."""

    # -- setting up and tearing down ------------------------------------------------------------

    def setup_following(self, source: Source | None, follow: bool) -> None:
        """Remember the source to read (or make one for a local file to follow); nothing starts yet."""
        if source is None and follow:
            source = Source(LocalPath(self.path), follow=True)
        self.source = source
        self.live_note = ""

    def start_following(self) -> None:
        """Open the source in a worker; ``RecordingOpened`` follows, as for a plain file."""
        self._follow_worker()

    @work(thread=True, group="open", exit_on_error=False)
    def _follow_worker(self) -> None:
        source = self.source
        assert source is not None
        self.wait_for_first_paint()  # a local file's head is on screen (``show_preview``) before it is indexed
        with self.view.follow.lock:
            if self.view.follow.phase == "closed":
                return
            self.view.follow.phase = "starting"
        failure = None
        try:
            if self.store is None and source.awaits_head:
                source.check()  # an object's head, read by a helper process while the app started
                self._show_head_drawn()
            source.start(on_change=self._ring)  # indexes a local file: the reason for the worker
        except SourceError as exc:
            failure = str(exc)
        with self.view.follow.lock:
            abandoned = self.view.follow.phase == "closed"
            self.view.follow.phase = "running"
        if abandoned:  # the screen went away while the source was starting
            source.close()
            return
        if failure is not None:
            self.post_message(RecordingFailed(self.path, failure))
            return
        self.view.follow.generation = source.reader.generation  # before the store counts frames: see _apply
        self.post_message(RecordingOpened(LiveFrameStore(source.reader)))

    def _show_head_drawn(self) -> None:
        """Put the frames of the head on screen, and let them be drawn before the source starts
        (which imports the store's driver, holding the GIL for a while)."""
        drawn = threading.Event()

        def show() -> None:
            if self.store is None and self.show_preview():
                self.call_after_refresh(drawn.set)
            else:
                drawn.set()

        self.app.call_from_thread(show)
        drawn.wait(HEAD_PAINT_WAIT)

    def _ring(self) -> None:
        """Called on a source thread when an update is waiting: tell the screen, nothing more."""
        self.post_message(SourceChanged())

    def stop_following(self) -> None:
        """Stop the source's threads and processes (an ssh client, a pipe reader)."""
        if self.source is None:
            return
        follow = self.view.follow
        follow.stop_timers()
        with follow.lock:
            starting = follow.phase == "starting"
            follow.phase = "closed"
        if not starting:  # otherwise the worker closes it once start() returns
            self.source.close()

    def writer_finished(self, message: str) -> None:
        """Nothing will be written to the followed file any more: its marker becomes ENDED."""
        if self.source is not None:
            self._writer_finished_worker(self.source, message)

    @work(thread=True, group="follow-end", exit_on_error=False)
    def _writer_finished_worker(self, source: Source, message: str) -> None:
        with self.view.follow.lock:
            if self.view.follow.phase != "running":
                return  # closed (the screen went away), or still starting: nothing to end
        source.writer_finished(message)  # its ENDED status arrives as any update does

    # -- updates from the source ----------------------------------------------------------------

    def source_opened(self) -> None:
        """The screen shows the source's store now: take what happened while it was opening."""
        if self.source is None or self.view.follow.opened:
            return
        self.view.follow.opened = True
        count = self.frame_list.frame_count
        if count and self.source.follow and self._opens_on_newest():
            self.frame_list.move_to(count - 1)  # a live session is followed from the start, however fast it came
        self._take_update_now()

    def _opens_on_newest(self) -> bool:
        """A stream, or a local file still being written whose preview the user has not left."""
        assert self.source is not None
        location = self.source.location
        if not isinstance(location, LocalPath):
            return True
        return self.frame_list.cursor == 0 and is_being_written(self.store, location.path)

    def on_source_changed(self, _message: SourceChanged) -> None:
        if not self.view.follow.opened or self.source is None:
            return  # left waiting in the source: ``source_opened`` takes it
        delay = self.view.follow.last_update + MIN_UPDATE_INTERVAL - time.monotonic()
        if delay > 0:
            if self.view.follow.update_timer is None:
                self.view.follow.update_timer = self.set_timer(delay, self._take_update_now)
            return
        self._take_update_now()

    def _take_update_now(self) -> None:
        self.view.follow.update_timer = None
        if self.source is None or self.view.follow.phase == "closed":
            return
        self.view.follow.last_update = time.monotonic()
        update = self.source.take()
        if update is not None:
            self._apply(update)
        elif self.view.follow.source_state is None:
            self._apply_status(self.source.status)
            self._show_marker()

    def _apply(self, update: SourceUpdate) -> None:
        """Bring the screen in line with the reader: reload after a reset, else show appended frames.

        The update's own counts are only a hint; the reader may already hold more, and what the
        screen shows is compared with the reader itself, so no frame is counted twice or missed.
        """
        assert self.source is not None
        live = self.source.reader
        with live.locked() as reader:
            generation, count = live.generation, len(reader)
        if generation != self.view.follow.generation:
            self.view.follow.generation = generation
            self._reload(count)
        elif count > self.frame_list.frame_count:
            if self.view.errors_done:
                # The file as it was opened has been reported; lines that go wrong from now on get
                # a notification, never a dialog that takes the keys away from a followed view.
                self.view.problems_warned = True
            self.frames_appended(count - self.frame_list.frame_count)
            self._add_store_problems()
        if update.status_changed or self.view.follow.source_state is None:
            self._apply_status(update.status)
        self._update_marker()
        self.refresh_status_soon()  # once the cursor has followed, so position and count agree

    def _add_store_problems(self) -> None:
        """Lines the index skipped since the last look (the survey only reads frame lines)."""
        if not isinstance(self.store, FrameStore):
            return
        # One line, one problem, however worded.
        self.problems, fresh = merged_problems(self.problems, self.store.problems, by_line=True)
        if fresh:
            self.view.problems_announced = len(self.problems)
            self.say(f"{fresh:,} more lines could not be read as written (w lists them)", severity="warning")

    def _reload(self, count: int) -> None:
        """The file was replaced or truncated: everything on screen is read again."""
        store = self.store
        if not isinstance(store, FrameStore):
            return
        was_following = self.follows_end()
        store.forget_rows()
        dropped_edits = self.forget_all_edits()  # they were made on the old file's frames
        self.new_frames = 0
        if self.marked is not None and self.marked >= count:
            self.marked = None
            self.frame_list.marked = None
        self.frame_list.border_subtitle = ""  # the error count of the old file
        # Lines the new file's survey cannot read are reported in a notification: a dialog
        # popping up over a view that is being followed would take the keys away.
        self.view.problems_warned, self.view.problems_announced = True, 0
        self.frames_appended(0, reset=True)
        shown = self.frame_list.frame_count
        if not shown:
            self.current = None
            self.cursor_index = None
            self.state_tree.show_note("No frames in this recording yet.")
            self.details.show_note(clean(store.session.session_id))
            self.diff_view.show_note("Nothing to compare.")
        elif was_following:
            self.frame_list.move_to(shown - 1)
        if self.search_state is not None:
            self.start_search(self.search_state.query)
        message = f"{clean(self.path.name)} was replaced or cut short: read again from the start ({shown:,} frames)"
        if dropped_edits:
            message += f"; your edits of {format_count(dropped_edits, 'frame')} were discarded"
        self.say(message, severity="warning")

    def _apply_status(self, status: SourceStatus) -> None:
        """Remember the source's state; say so when it needs the user's attention."""
        previous, self.view.follow.source_state = self.view.follow.source_state, status.state
        self.view.follow.source_message = status.message
        if status.state in (SourceState.ENDED, SourceState.FAILED) and isinstance(self.store, LiveFrameStore):
            self.store.growing = False  # an unfinished last line now means the stream was cut off
            self._add_store_problems()
        if status.state is SourceState.FAILED:
            self._source_failed(status.message)
        elif status.state in (SourceState.RECONNECTING, SourceState.WAITING) and previous is SourceState.LIVE:
            self.say(status.message, severity="warning")
        elif status.state is SourceState.ENDED and previous is not None:
            self.say(status.message)
        elif status.state is SourceState.LIVE and previous in (SourceState.RECONNECTING, SourceState.WAITING):
            self.say(f"Back: {status.message}")

    def _source_failed(self, message: str) -> None:
        """A problem retrying cannot fix: the program will exit non-zero, with the reason."""
        report_failure(self, message)  # type: ignore[arg-type]
        if not self.frame_list.frame_count:
            from vcr_tui.screens.error_screen import ErrorScreen

            self.app.push_screen(ErrorScreen(message))  # nothing to look at: say why, full screen
        else:
            self.say(message, severity="error", timeout=30)

    # -- the marker and the cursor ---------------------------------------------------------------

    def follows_end(self) -> bool:
        """Whether appended frames move the cursor along (and are not counted as unseen)."""
        if self.source is None:
            return self.live == "LIVE"  # driven by hand through ``set_live``
        return self.source.follow and self.frame_list.cursor >= self.frame_list.frame_count - 1

    def cursor_moved(self) -> None:
        """The user moved: on the last frame the view follows again, elsewhere it is paused.

        Only the marker's fields change here; the step itself refreshes the status line.
        """
        if self.source is not None and self.view.follow.opened:
            self._update_marker()

    def _show_marker(self) -> None:
        self._update_marker()
        self.refresh_status()

    def _update_marker(self) -> None:
        state = self.view.follow.source_state
        note = ""
        marker: str | None
        if state is None or state in _SILENT_STATES:
            marker = None
        elif state in _FOLLOWING_STATES:
            assert self.source is not None
            if not self.source.follow:
                marker = None  # reading a file once (--no-follow): nothing to follow
            else:
                marker = "LIVE" if self.follows_end() else "PAUSED"
        else:
            marker = state.name
            note = self.view.follow.source_message
        marker, note = self._honest(marker, note)
        if marker == "LIVE":
            self.new_frames = 0
        self.live = marker
        self.live_note = note

    def _honest(self, marker: str | None, note: str) -> tuple[str | None, str]:
        """LIVE only while the file is written to: COMPLETE once its totals are, IDLE when it went quiet."""
        local = self.source.location.path if self.source and isinstance(self.source.location, LocalPath) else None
        quiet = quiet_for(local)
        honest = honest_marker(marker, totals_written=is_complete(self.store), quiet_for=quiet)
        delay = recheck_in(honest, quiet)
        if self.view.follow.badge_timer is not None:
            self.view.follow.badge_timer.stop()
        self.view.follow.badge_timer = self.set_timer(delay, self._show_marker) if delay is not None else None
        return honest, note if honest == marker else ""

    def action_follow(self) -> None:
        """Jump to the newest frame and follow the ones still to come."""
        self.frame_list.action_last()
        if self.source is None or not self.source.follow:
            self.say("Not following this recording: it was opened with --no-follow.")
            return
        self.new_frames = 0
        if self.view.follow.opened:
            self._show_marker()
