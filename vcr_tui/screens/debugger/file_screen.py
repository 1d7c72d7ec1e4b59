"""The debugger screen for one recording: frame list, frame details and state tree, diff, status.

The screen is the only place that knows about all panes. It reacts to the frame list's cursor,
loads the frame (on this thread when that is cheap, in a worker otherwise), fills the details and
the status line at once, then the tree, and asks a worker for the diff: after the step's screen
update, or once a burst of steps pauses (``pane_pacing``). Workers post messages; every result
carries the frame it was computed for and is dropped if the cursor has moved on.

Extension points for editing and following (kept here so those features plug in, not rewire):
``state_for`` (an edited state replaces the recorded one), ``DiffMode`` (append a mode),
``frames_appended`` and ``set_live`` (a follower of a growing file calls them).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, Final

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget

from recorder import Frame, RecordingNotFoundError, RecordingUnreadableError, format_path
from vcr_tui.commands import ScreenCommands
from vcr_tui.host import keep_built_objects
from vcr_tui.logic.diff_model import DiffMode, compute_lines, diff_as_text
from vcr_tui.logic.formatting import value_as_clipboard_text
from vcr_tui.logic.frame_store import FrameStore
from vcr_tui.logic.frame_view import DiffJob, FrameView, goto_target
from vcr_tui.logic.latest_only import LatestOnly
from vcr_tui.logic.pane_pacing import PAINT_OUT, PanePacing
from vcr_tui.logic.preview_store import PreviewStore
from vcr_tui.logic.run_identity import fork_text, totals_text
from vcr_tui.logic.safe_text import clean, shorten
from vcr_tui.logic.search_marks import match_counter
from vcr_tui.messages import (
    DiffReady,
    FrameLoaded,
    PromptSubmitted,
    RecordingFailed,
    RecordingOpened,
)
from vcr_tui.screens.debugger.agent_prompt import PROMPT_KIND as AGENT_PROMPT
from vcr_tui.screens.debugger.agent_prompt import agent_typed
from vcr_tui.screens.debugger.file_scans import BackgroundScans
from vcr_tui.screens.debugger.ledger_actions import LEDGER_BINDINGS, LedgerActions
from vcr_tui.screens.debugger.live_follow import LiveFollowing
from vcr_tui.screens.debugger.time_travel import TIME_TRAVEL_BINDINGS, ResumeCommands, TimeTravel
from vcr_tui.screens.debugger.unsaved_edits import adopt_kept_edits, back_to_folder, folder_of, leave_asking
from vcr_tui.screens.debugger.workspace_actions import WORKSPACE_BINDINGS, WorkspaceActions
from vcr_tui.sources import LocalPath, Source
from vcr_tui.theme import ERROR_ROW_STYLE
from vcr_tui.theme_switch import ensure_palette
from vcr_tui.widgets.diff_view import DiffView
from vcr_tui.widgets.frame_details import FrameDetails
from vcr_tui.widgets.frame_list import FrameList
from vcr_tui.widgets.kept_lines import KeptGrid, KeptLines, KeptVertical
from vcr_tui.widgets.priority_footer import PriorityFooter
from vcr_tui.widgets.prompt_bar import PromptBar
from vcr_tui.widgets.state_tree import StateTree
from vcr_tui.widgets.status_line import StatusFields, StatusLine

SLOW_DIFF_NOTICE = 0.15
PREVIEW_PAINT_WAIT = 0.5
WARN_BEFORE_SURVEY = 5000  # frames: smaller files are surveyed before the warning is shown


class LoadJob:
    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index: Final = index


class _ViewField:
    """A screen attribute that is a field of the screen's ``FrameView`` (``"resume.run"``: of a
    part of it): the view owns the fact."""

    def __init__(self, field: str) -> None:
        *self.parts, self.field = field.split(".")

    def _owner(self, screen: FileScreen) -> Any:
        owner: Any = screen.view
        for part in self.parts:
            owner = getattr(owner, part)
        return owner

    def __get__(self, screen: FileScreen | None, owner: type | None = None) -> Any:
        if screen is None:
            return self
        return getattr(self._owner(screen), self.field)

    def __set__(self, screen: FileScreen, value: Any) -> None:
        setattr(self._owner(screen), self.field, value)


class FileScreen(TimeTravel, WorkspaceActions, LedgerActions, LiveFollowing, BackgroundScans, KeptLines, Screen[None]):
    """Step through one recording."""

    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {ScreenCommands, ResumeCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark,f1", "help", "help", tooltip="show every key", id="app.help"),
        Binding(
            "slash", "search", "search", tooltip="search node names and state text in every frame", id="file.search"
        ),
        Binding("n", "next_match", "next match", show=False, id="file.next-match"),
        Binding("N", "previous_match", "previous match", show=False, id="file.previous-match"),
        Binding("colon", "goto", "go to frame", tooltip="go to a frame by number (-1 is the last)", id="file.goto"),
        Binding("F", "follow", "follow", show=False, tooltip="jump to the last frame and follow", id="file.follow"),
        Binding("right_square_bracket", "next_error", "next error", tooltip="next error frame", id="file.next-error"),
        Binding("left_square_bracket", "previous_error", "previous error", show=False, id="file.previous-error"),
        Binding(
            "i",
            "toggle_side",
            "input/output",
            tooltip="show the frame's input or its output state",
            id="file.toggle-side",
        ),
        Binding(
            "d",
            "cycle_diff",
            "diff mode",
            tooltip="diff: this step, vs the previous frame, vs the marked frame",
            id="file.diff-mode",
        ),
        Binding("m", "mark", "mark", tooltip="mark this frame (the diff can compare against it)", id="file.mark"),
        Binding(
            "y", "copy_value", "copy", tooltip="copy the selected value, state or diff to the clipboard", id="file.copy"
        ),
        Binding("Y", "copy_path", "copy JSON path", show=False, id="file.copy-path"),
        Binding("J", "step(1)", "next frame from any pane", show=False, id="file.step-down"),
        Binding("K", "step(-1)", "previous frame from any pane", show=False, id="file.step-up"),
        Binding("1", "focus_pane('frames')", "focus frames", show=False, id="file.focus-frames"),
        Binding("2", "focus_pane('tree')", "focus state", show=False, id="file.focus-state"),
        Binding("3", "focus_pane('diff')", "focus diff", show=False, id="file.focus-diff"),
        Binding("w", "problems", "show skipped lines", show=False, id="file.problems"),
        Binding(
            "v",
            "graph",
            "graph",
            show=False,
            tooltip="the run as a graph: supersteps, side-by-side nodes, forks",
            id="file.graph",
        ),
        Binding(
            "c",
            "compare_parent",
            "compare with parent",
            show=False,
            tooltip="this fork side by side with the run it came from",
            id="file.compare-parent",
        ),
        Binding("escape", "back", "back to sessions", show=False, id="file.back"),
        *WORKSPACE_BINDINGS,
        *TIME_TRAVEL_BINDINGS,
        *LEDGER_BINDINGS,
        Binding("q", "quit", "quit", id="app.quit"),
    ]

    def __init__(
        self,
        path: Path,
        *,
        store: FrameStore | None = None,
        from_directory: bool = False,
        source: Source | None = None,
        follow: bool = False,
    ) -> None:
        super().__init__()
        self.view = FrameView()  # every fact the screen's parts share
        self.path = path
        self.store: FrameStore | PreviewStore | None = None
        self._given_store = store  # already open (a source that follows a file, a pipe, ssh)
        self.from_directory = from_directory
        self._diff_key: tuple[object, ...] | None = None
        self._slow_diff_timer: Timer | None = None
        self._status_pending = False
        self._diffs: LatestOnly[DiffJob] = LatestOnly(self._diff_worker)
        self._loads: LatestOnly[LoadJob] = LatestOnly(self._load_worker)
        self._pacing = PanePacing()  # when the tree and the diff follow a step
        self._pacing_timer: Timer | None = None
        self._first_paint = threading.Event()  # set once the first screen is drawn
        self.setup_following(source, follow)  # a source to read, or follow=True to follow ``path``

    # The view's fields, as the screen's parts (and tests) name them.
    current = _ViewField("current")
    cursor_index = _ViewField("cursor")
    side = _ViewField("side")
    diff_mode = _ViewField("diff_mode")
    marked = _ViewField("marked")
    search_state = _ViewField("search")
    errors = _ViewField("errors")
    problems = _ViewField("problems")
    live = _ViewField("live")
    new_frames = _ViewField("new_frames")
    live_note = _ViewField("live_note")
    resume_run = _ViewField("resume.run")
    following = _ViewField("resume.following")
    ledger = _ViewField("ledger")

    @property
    def edited_states(self) -> dict[tuple[int, str], dict[str, Any]]:
        return self.view.edits.states

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # A grid, not nested boxes: fewer widgets to draw on each step; the containers keep their
        # drawn lines (``KeptLines``), which a step does not change.
        with KeptGrid(id="panes"):
            yield FrameList(id="frames")
            with KeptVertical(id="frame-pane"):
                yield FrameDetails(id="details")
                yield StateTree(id="tree")
            yield DiffView(id="diff")
        yield PromptBar(id="prompt")
        yield StatusLine(id="status")
        yield PriorityFooter(compact=True)

    @property
    def frame_list(self) -> FrameList:
        return self.query_one(FrameList)

    @property
    def state_tree(self) -> StateTree:
        return self.query_one(StateTree)

    @property
    def diff_view(self) -> DiffView:
        return self.query_one(DiffView)

    @property
    def details(self) -> FrameDetails:
        return self.query_one(FrameDetails)

    @property
    def prompt_bar(self) -> PromptBar:
        return self.query_one(PromptBar)

    def command_nodes(self) -> list[DOMNode]:
        """Where the palette and the help look for commands, most specific first."""
        return [self.frame_list, self.state_tree, self.diff_view, self]

    def on_mount(self) -> None:
        ensure_palette(self.app)
        self.frame_list.border_title = "Frames"
        self.query_one("#frame-pane").border_title = f"{self.side.capitalize()} state"
        self.diff_view.border_title = f"Diff · {self.diff_mode.caption}"
        self.state_tree.show_note("Opening…")
        self.details.show_note(clean(self.path.name))
        self.frame_list.focus()
        self.watch(self.frame_list, "cursor", self._cursor_changed, init=False)
        adopt_kept_edits(self)  # edits made to this recording earlier in this app session
        self.refresh_status()
        self.call_after_refresh(self._first_paint.set)
        if self._given_store is None and self._has_head() and not self.show_preview():
            return  # unreadable: the screen says why
        if self.source is not None:
            self.start_following()
        elif self._given_store is None:
            self._open_worker()
        else:
            self.post_message(RecordingOpened(self._given_store))

    def on_unmount(self) -> None:
        for group in ("search", "survey", "open"):
            self.workers.cancel_group(self, group)
        self.stop_following()

    # -- opening -----------------------------------------------------------------------------

    @work(thread=True, group="open", exit_on_error=False)
    def _open_worker(self) -> None:
        """Index the whole file, once the head of it is on screen."""
        self.wait_for_first_paint()
        try:
            store = FrameStore.open(self.path)
        except OSError as exc:
            self.post_message(self._unreadable(exc))
            return
        self.post_message(RecordingOpened(store))

    def _reads_local_file(self) -> bool:
        """Whether the frames come from a file on this machine (not a pipe, ssh or object storage)."""
        return self.source is None or isinstance(self.source.location, LocalPath)

    def _has_head(self) -> bool:
        """Whether the first bytes are at hand now: a local file, or an object whose head was read
        by a helper process while the app started."""
        return self._reads_local_file() or (self.source is not None and self.source.head is not None)

    def show_preview(self) -> bool:
        """Show the first frames of the file in the first screen update; False if it is unreadable.

        The head of the file (at most ``preview_store.HEAD_BYTES``) is read here, before anything is
        drawn: it costs what opening the file costs, and the first screen then has the frames in it
        instead of a note that is replaced one update later. The whole file is indexed in a worker.
        """
        head = self.source.head if self.source is not None else None
        try:
            preview = PreviewStore.from_head(self.path, head.data) if head else PreviewStore.read(self.path)
        except OSError as exc:
            self.post_message(self._unreadable(exc))
            return False
        if len(preview):
            self.store = preview
            self.frame_list.border_title = f"Frames · {len(preview):,}+ (indexing…)"
            self.frame_list.set_store(preview)
            self.refresh_status()
        return True

    def wait_for_first_paint(self) -> None:
        """For a worker about to hold the GIL (indexing the file takes most of a second, the first
        diff loads its library): the first screen is drawn first, or ``PREVIEW_PAINT_WAIT`` passes."""
        self._first_paint.wait(PREVIEW_PAINT_WAIT)

    def _unreadable(self, exc: OSError) -> RecordingFailed:
        """The engine's own sentence for a recording it cannot open; any other read error with the path."""
        if isinstance(exc, (RecordingNotFoundError, RecordingUnreadableError)):
            return RecordingFailed(self.path, exc.strerror or str(exc))
        return RecordingFailed(self.path, f"cannot read {self.path}: {exc.strerror or exc}")

    def on_recording_failed(self, message: RecordingFailed) -> None:
        from vcr_tui.screens.error_screen import ErrorScreen  # the screens shown over this one load when shown

        self.app.push_screen(ErrorScreen(message.reason))

    def on_recording_opened(self, message: RecordingOpened) -> None:
        message.store.adopt(self.store)  # what the preview parsed is not parsed again
        self.store = message.store
        count = len(self.store)
        self.frame_list.border_title = f"Frames · {count:,}"
        self.frame_list.set_store(self.store, cursor=self.frame_list.cursor)
        if not count:
            self.state_tree.show_note("No frames in this recording yet.")
            self.details.show_note(clean(self.store.session.session_id))
            self.diff_view.show_note("Nothing to compare.")
        self.problems = self.store.problems
        self.refresh_status()
        self._start_survey()
        if self.view.pending_search:
            self.start_search(self.view.pending_search)
            self.view.pending_search = ""
        if self.problems and count > WARN_BEFORE_SURVEY:
            self.warn_about_problems()  # a big file: say what is known now, the survey adds the rest
        keep_built_objects(self)  # the store lives as long as the screen
        self.source_opened()

    def warn_about_problems(self) -> None:
        from vcr_tui.screens.problems_screen import ProblemsScreen

        self.view.problems_warned = True
        self.view.problems_announced = len(self.problems)
        self.app.push_screen(ProblemsScreen(self.problems, self.path.name))

    # -- following a growing file (called by whatever watches the file) -----------------------

    def frames_appended(self, count: int, *, reset: bool = False) -> None:
        """The store grew (or was re-read): update the list, the counts and the scans."""
        if self.store is None or not self.store.complete:
            return
        if reset:
            self.frame_list.frames_reset()
            self.workers.cancel_group(self, "survey")
            self.view.survey_generation += 1  # results of the old file's survey are dropped
            self.view.surveys_running = 0
            self.errors, self.problems = [], self.store.problems
            self.forget_ledger()
            self._start_survey()
        else:
            before = self.frame_list.frame_count
            following = self.follows_end()
            self.frame_list.frames_appended(count, follow=following)
            if self.live is not None and not following:
                self.new_frames += self.frame_list.frame_count - before
            self._start_survey(start=before)
        self.frame_list.border_title = f"Frames · {len(self.store):,}"
        self.refresh_status_soon()  # after the cursor has followed: position and count agree

    def set_live(self, marker: str | None) -> None:
        """Show LIVE (following the end), PAUSED (new frames counted, the view kept) or nothing."""
        if marker != self.live:
            self.new_frames = 0
        self.live = marker
        self.refresh_status()

    # -- the selected frame ------------------------------------------------------------------

    def _cursor_changed(self, index: int) -> None:
        """The list's cursor moved: the details and the status line in the same turn, so the key's own
        screen update shows the step (the tree and the diff follow it).

        Watching the list's ``cursor`` (rather than waiting for its ``FrameHighlighted``) keeps the
        key, the row, the details and the status line in one update instead of two.
        """
        self.cursor_moved()
        self.show_frame(index)

    def show_frame(self, index: int) -> None:
        """Fill details, tree and diff for frame ``index`` (the tree and the diff after the step's paint)."""
        if self.store is None:
            return
        self.cursor_index = index
        frame = self.store.try_frame(index)
        if frame is not None:
            self.display_frame(frame, step=self.current is not None)
            return
        self.current = None
        self.state_tree.show_note("Loading frame…", index=None)
        self.details.show_note(f"frame #{index}")
        self.refresh_status()
        self._loads.submit(LoadJob(index))

    @work(thread=True, group="load", exit_on_error=False)
    def _load_worker(self) -> None:
        self._loads.drain(self._load_one)

    def _load_one(self, job: LoadJob) -> None:
        if self.store is None or not self.store.complete or job.index != self.cursor_index:
            return  # a preview cannot load it; the complete store shows the frame again
        try:
            frame: Frame | None = self.store.frame(job.index)
            error = None
        except Exception as exc:  # whatever the reason, say it: never leave "Loading frame…" up
            frame, error = None, str(exc) or type(exc).__name__
        self.post_message(FrameLoaded(job.index, frame, error))

    def on_frame_loaded(self, message: FrameLoaded) -> None:
        if message.index != self.cursor_index:
            return
        if message.frame is None:
            self.state_tree.show_note(f"Cannot read frame #{message.index}: {message.error}", index=message.index)
            return
        self.display_frame(message.frame)

    def state_for(self, frame: Frame, side: str) -> dict[str, Any]:
        """The state the panes show for a frame: an in-memory edit wins over the recording."""
        return self.view.state_for(frame, side)

    def display_frame(self, frame: Frame, *, step: bool = False) -> None:
        """Show ``frame``: its details and the status line at once; the tree and the diff at once
        too, or for a ``step`` as ``PanePacing`` decides (after this paint, or once the steps pause)."""
        self.current = frame
        self.details.show_frame(frame)
        self._set_title(self.query_one("#frame-pane"), self.view.pane_title())
        self.refresh_status()
        if step:
            self._panes_follow()
        else:
            self.fill_panes()

    @property
    def panes_pending(self) -> bool:
        """The tree and the diff have yet to be filled for the current frame."""
        return self._pacing.pending

    def _panes_follow(self) -> None:
        caught_up = self.diff_view.shown_key == self._diff_key  # the step before is fully shown
        wait = self._pacing.step(time.monotonic(), caught_up)
        if self._pacing_timer is not None:
            self._pacing_timer.stop()
            self._pacing_timer = None
        self._pacing_timer = self.set_timer(PAINT_OUT if wait is None else wait, self.fill_panes)

    def fill_panes(self) -> None:
        """Fill the tree and ask for the diff of the current frame now (a pending fill is done)."""
        if self._pacing_timer is not None:
            self._pacing_timer.stop()
            self._pacing_timer = None
        self._pacing.filled()
        frame = self.current
        if frame is None:
            return  # being loaded: it is shown in full when it arrives
        self.state_tree.show_state(self.state_for(frame, self.side), index=frame.index, side=self.side)
        self.request_diff()

    # -- diff --------------------------------------------------------------------------------

    def request_diff(self) -> None:
        """Ask for the diff of the current frame in the current mode (answered by a worker)."""
        frame = self.current
        self._set_title(self.diff_view, f"Diff · {self.diff_mode.caption}")
        if frame is None:
            return
        job = DiffJob.of(self.view, frame)
        self._diff_key = job.key
        note = self.view.diff_note(frame)
        if note is not None:
            self.diff_view.show_note(note, key=job.key)
            return
        if self._slow_diff_timer is not None:
            self._slow_diff_timer.stop()
        self._slow_diff_timer = self.set_timer(SLOW_DIFF_NOTICE, self._show_slow_diff_notice)
        self._diffs.submit(job)

    def _show_slow_diff_notice(self) -> None:
        if self._diff_key is not None and self.diff_view.shown_key != self._diff_key:
            self.diff_view.show_note("Comparing… (a large state)")

    @work(thread=True, group="diff", exit_on_error=False)
    def _diff_worker(self) -> None:
        # The first diff loads the diffing library: not while the first screen is being drawn.
        self.wait_for_first_paint()
        self._diffs.drain(self._diff_one)

    def _diff_one(self, job: DiffJob) -> None:
        store = self.store
        if job.key != self._diff_key or store is None:
            return  # the cursor has moved on
        try:
            lines, summary = compute_lines(job.request(store.frame, len(store)))
        except Exception as exc:  # a state deepdiff cannot handle must not kill the pane
            lines, summary = [Text(f"Cannot compare these states: {clean(str(exc))}", style=ERROR_ROW_STYLE)], ""
        if job.key == self._diff_key:
            self.post_message(DiffReady(job.key, list(lines), summary))

    def on_diff_ready(self, message: DiffReady) -> None:
        if message.key != self._diff_key:
            return
        if self._slow_diff_timer is not None:
            self._slow_diff_timer.stop()
            self._slow_diff_timer = None
        self.diff_view.show_lines(message.lines, key=message.key, summary=message.summary)  # type: ignore[arg-type]

    @staticmethod
    def _set_title(widget: Widget, title: str) -> None:
        """Set a border title only when it changes: setting one repaints the whole pane."""
        if str(widget.border_title) != title:
            widget.border_title = title

    # -- status ------------------------------------------------------------------------------

    def refresh_status_soon(self) -> None:
        """Update the status line once the current message is handled (several asks, one update).

        It still lands in the same screen update as the panes: the screen draws when it is idle.
        """
        if not self._status_pending:
            self._status_pending = True
            self.call_later(self.refresh_status)

    def refresh_status(self) -> None:
        self._status_pending = False
        store = self.store
        fields = StatusFields(live=self.live, new_frames=self.new_frames, live_note=self.live_note)
        if store is not None:
            fields.session_id = store.session.session_id
            fields.fork, fields.totals = fork_text(store.session), totals_text(store.session)
            # A followed file may hold frames the list has not taken yet: count what is shown.
            fields.count = self.frame_list.frame_count if self.source is not None else len(store)
            fields.skipped = len(self.problems)
            if self.cursor_index is not None and self.cursor_index < fields.count:
                fields.index = self.cursor_index
                try:
                    fields.row = store.row(self.cursor_index)
                except (IndexError, OSError):
                    fields.row = None
        else:
            fields.count = -1
            fields.activity = f"opening {clean(self.path.name)}…"
        if self.marked is not None:
            fields.extras.append(f"◉ #{self.marked}")
        if saved := self.ledger_status():
            fields.extras.append(saved)
        search = self.search_state
        if search is not None:
            progress = "" if search.done else f" {100 * search.scanned // max(search.total, 1)}%"
            found = match_counter(search.matches, self.frame_list.cursor)
            fields.activity = f"/{shorten(clean(search.query), 20)}: {found}{progress}"
        self.query_one(StatusLine).fields = fields

    # -- keys: navigation --------------------------------------------------------------------

    def action_step(self, delta: int) -> None:
        self.frame_list.move_to(self.frame_list.cursor + delta)

    def action_focus_pane(self, pane: str) -> None:
        {"frames": self.frame_list, "tree": self.state_tree, "diff": self.diff_view}[pane].focus()

    def action_goto(self) -> None:
        self.prompt_bar.open("goto", ":", placeholder="frame number (negative counts from the end)")

    def on_prompt_submitted(self, message: PromptSubmitted) -> None:
        self.frame_list.focus()
        value = message.value.strip()
        if not value:
            return
        if message.kind == "goto":
            self._goto(value)
        elif message.kind == "search":
            self.start_search(value)
        elif message.kind == AGENT_PROMPT:
            agent_typed(self, value)

    def _goto(self, value: str) -> None:
        try:
            number, warning = goto_target(value, self.frame_list.frame_count)
        except ValueError as exc:
            self.say(str(exc), severity="warning")
            return
        if warning is not None:
            self.say(warning, severity="warning")
        self.frame_list.move_to(number)

    # -- keys: views and marks ---------------------------------------------------------------

    def action_toggle_side(self) -> None:
        self.view.toggle_side()
        if self.current is not None:
            self.display_frame(self.current)

    def action_cycle_diff(self) -> None:
        self.view.cycle_diff()
        self.request_diff()

    def action_mark(self) -> None:
        self.view.toggle_mark(self.frame_list.cursor)
        self.frame_list.marked = self.marked
        self.refresh_status()
        if self.diff_mode is DiffMode.MARKED:
            self.request_diff()

    def action_copy_value(self) -> None:
        if self.panes_pending:
            self.fill_panes()  # copy what the current frame holds, not what a pane still shows
        focused = self.focused
        if focused is self.diff_view:
            self._copy(diff_as_text(self.diff_view.lines), "the diff")
            return
        entry = self.state_tree.selected_entry() if focused is self.state_tree else None
        if entry is not None and entry.kind == "value":
            self._copy(value_as_clipboard_text(entry.value), clean(shorten(entry.path_text, 40)))
        elif entry is not None and entry.kind == "text":
            self._copy(str(entry.value), "the line")
        elif self.current is not None:
            state = self.state_for(self.current, self.side)
            self._copy(value_as_clipboard_text(state), f"the {self.side} state of #{self.current.index}")

    def action_copy_path(self) -> None:
        if self.panes_pending:
            self.fill_panes()
        entry = self.state_tree.selected_entry()
        path = entry.path_text if entry is not None else format_path(())
        self._copy(path, clean(shorten(path, 60)))

    def say(self, message: str, severity: SeverityLevel = "information", timeout: float | None = None) -> None:
        """A notification whose text is never read as markup (it often quotes the file)."""
        self.notify(message, severity=severity, timeout=timeout, markup=False)

    def _copy(self, text: str, what: str) -> None:
        self.app.copy_to_clipboard(text)
        size = len(text.encode("utf-8"))
        amount = f"{size:,} bytes" if size < 10_000 else f"{size / 1024:,.0f} KB"
        self.say(f"Copied {what} ({amount})", timeout=2)

    def action_graph(self) -> None:
        from vcr_tui.screens.debugger.run_views import open_graph  # the graph and compare views load when asked for

        open_graph(self.app, self.path, self.frame_list.cursor, self.frame_list.move_to)

    def action_compare_parent(self) -> None:
        from vcr_tui.screens.debugger.run_views import compare_with_parent

        why = compare_with_parent(self.app, self.path)
        if why:
            self.say(why, timeout=5)

    def action_problems(self) -> None:
        from vcr_tui.screens.problems_screen import ProblemsScreen

        if self.problems:
            self.app.push_screen(ProblemsScreen(self.problems, self.path.name))
        else:
            self.say("Every line of this file was read.")

    def action_help(self) -> None:
        from vcr_tui.screens.help_screen import HelpScreen

        self.app.push_screen(
            HelpScreen(
                [
                    ("Frames (pane 1)", self.frame_list),
                    ("State tree (pane 2)", self.state_tree),
                    ("Diff (pane 3)", self.diff_view),
                    ("Anywhere", self),
                ]
            )
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.from_directory or folder_of(self) is not None
        return self.check_time_travel_action(action)

    def action_back(self) -> None:
        if self.from_directory:
            leave_asking(self, self.app.pop_screen)  # unsaved edits are asked about first
        else:
            back_to_folder(self)  # opened by path: its folder's session list

    async def action_quit(self) -> None:
        await self.app.run_action("app.quit")
