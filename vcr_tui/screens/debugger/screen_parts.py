"""The one interface the debugger screen's parts meet through.

``FileScreen`` is assembled from parts that each own one concern: search and the error survey
(``file_scans``), following a growing file (``live_follow``), editing states (``state_editing``),
forking and resuming (``time_travel``) and the workspace keys (``workspace_actions``). Their state
is the screen's ``FrameView`` (``vcr_tui.logic``), down to where following, a resume, an edit and the
workspace stand (``part_progress``): a part keeps none of its own. What else they use of the screen, and of each
other, is declared here once, so a part names nothing the screen does not promise.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from textual.app import App
    from textual.notifications import SeverityLevel
    from textual.timer import Timer

    from recorder import Frame, Problem
    from recorder.golden import CostLedger
    from vcr_tui.logic.diff_model import DiffMode
    from vcr_tui.logic.frame_store import FrameStore
    from vcr_tui.logic.frame_view import FrameView, SearchState
    from vcr_tui.logic.preview_store import PreviewStore
    from vcr_tui.logic.resume_run import ResumeRun
    from vcr_tui.sources import Source
    from vcr_tui.widgets.diff_view import DiffView
    from vcr_tui.widgets.frame_details import FrameDetails
    from vcr_tui.widgets.frame_list import FrameList
    from vcr_tui.widgets.prompt_bar import PromptBar
    from vcr_tui.widgets.state_tree import StateTree


class ScreenParts(Protocol):
    """What ``FileScreen`` offers its parts: its view model, its panes, and the steps they share."""

    # -- Textual's screen ----------------------------------------------------------------------------
    @property
    def app(self) -> App[Any]: ...
    def post_message(self, message: Any) -> bool: ...
    def set_timer(self, delay: float, callback: Callable[[], Any]) -> Timer: ...
    def set_interval(self, interval: float, callback: Callable[[], Any]) -> Timer: ...
    def query_one(self, selector: Any, expect_type: Any = None) -> Any: ...
    def mount(self, *widgets: Any, before: Any = None) -> Any: ...
    def refresh_bindings(self) -> None: ...
    def call_after_refresh(self, callback: Callable[..., Any], *args: Any) -> bool: ...

    # -- what the screen shows, and from where ----------------------------------------------------------
    view: FrameView
    path: Path
    store: FrameStore | PreviewStore | None
    source: Source | None
    # the view's fields, by the names the parts use
    current: Frame | None
    cursor_index: int | None
    side: Any
    diff_mode: DiffMode
    marked: int | None
    search_state: SearchState | None
    errors: list[int]
    problems: list[Problem]
    live: str | None
    new_frames: int
    live_note: str
    resume_run: ResumeRun | None  # view.resume.run
    following: ResumeRun | None  # view.resume.following

    @property
    def frame_list(self) -> FrameList: ...
    @property
    def state_tree(self) -> StateTree: ...
    @property
    def details(self) -> FrameDetails: ...
    @property
    def diff_view(self) -> DiffView: ...
    @property
    def prompt_bar(self) -> PromptBar: ...

    # -- steps the parts share -------------------------------------------------------------------------
    def say(self, message: str, severity: SeverityLevel = "information", timeout: float | None = None) -> None: ...
    def state_for(self, frame: Frame, side: str) -> dict[str, Any]: ...
    def display_frame(self, frame: Frame) -> None: ...
    def request_diff(self) -> None: ...
    def refresh_status(self) -> None: ...
    def refresh_status_soon(self) -> None: ...
    def show_preview(self) -> bool: ...
    def wait_for_first_paint(self) -> None: ...
    def warn_about_problems(self) -> None: ...
    def frames_appended(self, count: int, *, reset: bool = False) -> None: ...
    def set_live(self, marker: str | None) -> None: ...
    # offered by one part to the others
    def start_search(self, query: str) -> None: ...  # file_scans
    def forget_all_edits(self) -> int: ...  # state_editing
    def writer_finished(self, message: str) -> None: ...  # live_follow
    def count_in_ledger(self, part: CostLedger) -> None: ...  # ledger_actions


if TYPE_CHECKING:
    PartBase = ScreenParts
else:
    PartBase = object  # at run time the parts are plain mixins of FileScreen
