"""The state of the debugger screen: where the cursor is, what the panes show, the edits and scans.

``FrameView`` owns every fact the screen's parts share (the cursor and current frame, the side
shown, the diff mode, the mark, the edited states, the search, the error frames and skipped
lines, the live marker). The screen's parts change it through its methods and then draw; none
keeps a copy. Nothing here knows about widgets, so each decision (which diff to ask for, what a
note says, where ``n`` jumps) is tested on its own.
"""

from __future__ import annotations

import bisect
import builtins
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, Literal

from recorder import Frame, Problem
from vcr_tui.logic.diff_model import DiffMode, DiffRequest
from vcr_tui.logic.part_progress import EditProgress, FollowProgress, ResumeProgress, WorkspaceProgress
from vcr_tui.logic.safe_text import clean, shorten
from vcr_tui.logic.step_change import step_comparison

if TYPE_CHECKING:  # the ledger's models load with the survey that counts it, not with the screen
    from recorder.golden import CostLedger

Side = Literal["input", "output"]
State = dict[str, Any]


class SearchState:
    """One search: its query, the matching frames found so far (sorted) and its progress."""

    __slots__ = ("done", "generation", "jumped", "matches", "query", "scanned", "total")

    def __init__(
        self,
        query: str,
        generation: int,
        matches: list[int] | None = None,
        scanned: int = 0,
        total: int = 0,
        done: bool = False,
        jumped: bool = False,
    ) -> None:
        self.query = query
        self.generation = generation
        self.matches: list[int] = [] if matches is None else matches
        self.scanned = scanned
        self.total = total
        self.done = done
        self.jumped = jumped


class Edits:
    """The states the user edited, by (frame, side): in memory only, the recording is untouched."""

    __slots__ = ("states",)

    def __init__(self, states: dict[tuple[int, str], State] | None = None) -> None:
        self.states: dict[tuple[int, str], State] = {} if states is None else states

    def get(self, index: int, side: str) -> State | None:
        return self.states.get((index, side))

    def shown(self, frame: Frame, side: str) -> State:
        """A frame's state as shown: its edit, else the recorded one."""
        edited = self.states.get((frame.index, side))
        if edited is not None:
            return edited
        return frame.input_state if side == "input" else frame.output_state

    def is_edited(self, index: int) -> bool:
        return (index, "input") in self.states or (index, "output") in self.states

    def set(self, index: int, side: str, state: State | None) -> None:
        """Keep an edited state, or with None drop it."""
        if state is None:
            self.states.pop((index, side), None)
        else:
            self.states[(index, side)] = state

    def drop_frame(self, index: int) -> None:
        for side in ("input", "output"):
            self.states.pop((index, side), None)

    def clear(self) -> builtins.set[int]:
        """Drop every edit; the frames that had one."""
        edited = {index for index, _side in self.states}
        self.states.clear()
        return edited

    def start_for(self, index: int) -> tuple[State | None, bool]:
        """The edit a fork or resume at ``index`` starts from: the input's, else the output's, else none."""
        edited_input = self.states.get((index, "input"))
        if edited_input is not None:
            return edited_input, False
        edited_output = self.states.get((index, "output"))
        if edited_output is not None:
            return edited_output, True
        return None, False

    def outputs_after(self, index: int) -> list[tuple[int, State]]:
        """The edited outputs of frames after ``index``, in frame order (what MOCK mode returns)."""
        return [
            (later, value) for (later, side), value in sorted(self.states.items()) if side == "output" and later > index
        ]

    def __bool__(self) -> bool:
        return bool(self.states)


class FrameView:
    """What the debugger screen shows and knows about one recording.

    A plain class: its one instance is built once per screen with no arguments, and a dataclass's
    generated ``__init__`` would be compiled from source at import, before the first screen.
    """

    def __init__(self) -> None:
        self.cursor: int | None = None  # the frame the panes are for (the list's cursor once a frame is asked for)
        self.current: Frame | None = None  # that frame, once loaded
        self.side: Side = "output"
        self.diff_mode: DiffMode = DiffMode.STEP
        self.marked: int | None = None
        self.edits: Edits = Edits()
        self.search: SearchState | None = None
        self.errors: list[int] = []  # error frames found so far, sorted
        self.problems: list[Problem] = []  # lines skipped or mended, by line
        self.live: str | None = None  # LIVE, PAUSED, a source's state, or None
        self.new_frames: int = 0  # frames appended since the view stopped following
        self.live_note: str = ""
        # the background scans: which results still count, and what was said about skipped lines
        self.search_generation: int = 0  # a search's results carry it; an older search's are dropped
        self.pending_search: str = ""  # asked for before the file was indexed: started once it is
        self.survey_generation: int = 0  # bumped when the file is read again: the old survey's results are dropped
        self.surveys_running: int = 0
        self.problems_warned: bool = False  # the dialog of skipped lines was shown (later ones are notifications)
        self.problems_announced: int = 0  # how many skipped lines the user has been told about
        # where the screen's parts stand: following a source, a resume started here, an edit, the workspace
        self.follow: FollowProgress = FollowProgress()
        self.resume: ResumeProgress = ResumeProgress()
        self.editing: EditProgress = EditProgress()
        self.workspace: WorkspaceProgress = WorkspaceProgress()
        self.ledger: CostLedger | None = None  # what the recording spent and saved, once the survey counted it

    @property
    def errors_done(self) -> bool:
        """Every frame has been surveyed for errors."""
        return self.surveys_running == 0

    # -- the states shown ------------------------------------------------------------------------

    def state_for(self, frame: Frame, side: str) -> State:
        """The state the panes show for a frame: an in-memory edit wins over the recording."""
        return self.edits.shown(frame, side)

    def pane_title(self) -> str:
        edited = " · edited ✎" if self.current is not None and self.edits.get(self.current.index, self.side) else ""
        return f"{self.side.capitalize()} state{edited}"

    def toggle_side(self) -> None:
        self.side = "input" if self.side == "output" else "output"

    # -- edits -----------------------------------------------------------------------------------

    def apply_edit(self, index: int, side: Side, state: State | None) -> None:
        """Keep (or drop) an edit; a kept one is shown on its side, against the recording."""
        self.edits.set(index, side, state)
        if state is not None:
            self.side = side
            self.diff_mode = DiffMode.EDITED
        elif self.diff_mode is DiffMode.EDITED and not self.edits:
            self.diff_mode = DiffMode.STEP

    def forget_all_edits(self) -> set[int]:
        """Drop every edit (the file was replaced); the frames that had one."""
        edited = self.edits.clear()
        if self.diff_mode is DiffMode.EDITED:
            self.diff_mode = DiffMode.STEP
        return edited

    # -- the diff --------------------------------------------------------------------------------

    def cycle_diff(self) -> None:
        self.diff_mode = self.diff_mode.following(include_edited=bool(self.edits))

    def toggle_mark(self, index: int) -> None:
        self.marked = None if self.marked == index else index

    def diff_key(self, frame: Frame) -> tuple[object, ...]:
        """What identifies the comparison the diff pane should show for ``frame`` now."""
        return (frame.index, self.diff_mode, self.side, self.marked)

    def diff_note(self, frame: Frame) -> str | None:
        """Why there is nothing to compare for ``frame`` in this mode, or None."""
        if self.diff_mode is DiffMode.MARKED and self.marked is None:
            return "No frame is marked: press m on a frame to compare against it."
        if self.diff_mode is DiffMode.PREVIOUS and frame.index == 0:
            return "The first frame has no previous frame."
        if self.diff_mode is DiffMode.EDITED:
            return self.edited_diff_note(frame)
        return None

    def edited_diff_note(self, frame: Frame) -> str | None:
        if self.edits.get(frame.index, self.side) is not None:
            return None
        other = "output" if self.side == "input" else "input"
        if self.edits.get(frame.index, other) is not None:
            return f"The {other} of #{frame.index} is edited, not its {self.side}: press i to see it."
        return f"#{frame.index} is not edited: e edits its input, E its output."


class DiffJob:
    """One comparison to compute in a worker, with everything it needs taken from the view."""

    __slots__ = ("edits", "frame", "key", "marked", "mode", "side")

    def __init__(
        self,
        key: tuple[object, ...],
        frame: Frame,
        mode: DiffMode,
        side: str,
        marked: int | None,
        edits: Edits,
    ) -> None:
        self.key: Final = key
        self.frame: Final = frame
        self.mode: Final = mode
        self.side: Final = side
        self.marked: Final = marked
        self.edits: Final = edits

    @classmethod
    def of(cls, view: FrameView, frame: Frame) -> DiffJob:
        return cls(view.diff_key(frame), frame, view.diff_mode, view.side, view.marked, view.edits)

    def state_for(self, frame: Frame, side: str) -> State:
        return self.edits.shown(frame, side)

    def request(self, frame_at: Callable[[int], Frame], count: int) -> DiffRequest:
        """The two states to compare and their labels."""
        frame = self.frame
        if self.mode is DiffMode.STEP:
            return self._step_request(frame_at, count)
        if self.mode is DiffMode.EDITED:
            recorded = frame.input_state if self.side == "input" else frame.output_state
            return DiffRequest(
                self.key,
                recorded,
                self.state_for(frame, self.side),
                f"#{frame.index} {self.side} as recorded",
                "edited",
            )
        other_index = frame.index - 1 if self.mode is DiffMode.PREVIOUS else self.marked
        assert other_index is not None
        other = frame_at(other_index)
        return DiffRequest(
            self.key,
            self.state_for(other, self.side),
            self.state_for(frame, self.side),
            f"#{other.index} {self.side}",
            f"#{frame.index} {self.side}",
        )

    def _step_request(self, frame_at: Callable[[int], Frame], count: int) -> DiffRequest:
        """What this step changed: input against output, or for a graph node the state around it."""
        return DiffRequest(self.key, *step_comparison(self.frame, frame_at, count, self.state_for))


# -- scans and jumps --------------------------------------------------------------------------------


def goto_target(value: str, count: int) -> tuple[int, str | None]:
    """Where ``:`` N goes in a list of ``count`` frames, and a warning when N had to be mended.

    Raises ``ValueError`` (with the sentence to show) for text that is not a number.
    """
    try:
        number = int(value.replace(",", "").replace("_", ""))
    except ValueError:
        raise ValueError(f"Not a frame number: {shorten(clean(value), 40)}") from None
    if number < 0:
        number += count
    if 0 <= number < count:
        return number, None
    return max(0, min(number, count - 1)), f"No frame {number}: frames are 0 to {count - 1:,}"


def neighbour(
    indices: list[int], cursor: int, forward: bool, include_current: bool = False, wrap: bool = True
) -> int | None:
    """The next (or previous) index in a sorted list relative to ``cursor``, wrapping if asked."""
    if not indices:
        return None
    if forward:
        position = bisect.bisect_left(indices, cursor) if include_current else bisect.bisect_right(indices, cursor)
        if position < len(indices):
            return indices[position]
        return indices[0] if wrap else None
    position = bisect.bisect_left(indices, cursor) - 1
    if position >= 0:
        return indices[position]
    return indices[-1] if wrap else None


def add_sorted(indices: list[int], found: list[int]) -> None:
    """Insert ``found`` into the sorted ``indices``, each index once."""
    for index in found:
        position = bisect.bisect_left(indices, index)
        if position == len(indices) or indices[position] != index:
            indices.insert(position, index)


def merged_problems(known: list[Problem], found: list[Problem], *, by_line: bool = False) -> tuple[list[Problem], int]:
    """``known`` with the problems of ``found`` it lacks, sorted by line; and how many were new.

    Two reports of one problem are told apart by line and reason, or (``by_line``) by line alone:
    the index and the survey word the same line differently.
    """
    if by_line:
        lines = {problem.line for problem in known}
        fresh = [problem for problem in found if problem.line not in lines]
    else:
        seen = {(problem.line, problem.reason) for problem in known}
        fresh = [problem for problem in found if (problem.line, problem.reason) not in seen]
    if not fresh:
        return known, 0
    return sorted([*known, *fresh], key=lambda problem: problem.line), len(fresh)
