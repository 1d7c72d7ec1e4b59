"""The debugger's view model, without an app: each decision the screen's parts share."""

from __future__ import annotations

import pytest

from recorder import Frame, Problem, ProblemKind
from vcr_tui.logic.diff_model import DiffMode
from vcr_tui.logic.frame_view import DiffJob, FrameView, add_sorted, goto_target, merged_problems, neighbour


def _frame(index: int) -> Frame:
    return Frame(f"f{index}", "s", f"n{index}", input_state={"i": index}, output_state={"i": index + 1}, index=index)


def test_an_edit_is_shown_on_its_side_and_compared_with_the_recording() -> None:
    view = FrameView()
    frame = _frame(2)
    view.apply_edit(2, "input", {"i": 99})
    assert view.side == "input" and view.diff_mode is DiffMode.EDITED
    assert view.state_for(frame, "input") == {"i": 99} and view.state_for(frame, "output") == {"i": 3}
    view.current = frame
    assert view.pane_title() == "Input state · edited ✎"
    request = DiffJob.of(view, frame).request(_frame, 5)
    assert (request.before, request.after, request.before_label) == ({"i": 2}, {"i": 99}, "#2 input as recorded")
    view.toggle_side()
    assert view.diff_note(frame) == "The input of #2 is edited, not its output: press i to see it."
    view.apply_edit(2, "input", None)
    assert view.diff_mode is DiffMode.STEP and not view.edits


def test_a_fork_starts_from_the_input_edit_before_the_output_one() -> None:
    view = FrameView()
    view.apply_edit(1, "output", {"o": 1})
    assert view.edits.start_for(1) == ({"o": 1}, True)
    view.apply_edit(1, "input", {"i": 1})
    assert view.edits.start_for(1) == ({"i": 1}, False)
    view.apply_edit(4, "output", {"o": 4})
    view.apply_edit(0, "output", {"o": 0})
    assert view.edits.outputs_after(1) == [(4, {"o": 4})]
    assert view.forget_all_edits() == {0, 1, 4} and view.diff_mode is DiffMode.STEP


def test_the_diff_modes_cycle_and_say_when_there_is_nothing_to_compare() -> None:
    view = FrameView()
    first = _frame(0)
    view.cycle_diff()
    assert view.diff_mode is DiffMode.PREVIOUS
    assert view.diff_note(first) == "The first frame has no previous frame."
    view.cycle_diff()
    assert view.diff_note(first) == "No frame is marked: press m on a frame to compare against it."
    view.toggle_mark(3)
    assert view.diff_note(first) is None and view.diff_key(first) == (0, DiffMode.MARKED, "output", 3)
    request = DiffJob.of(view, first).request(_frame, 5)
    assert (request.before_label, request.after_label) == ("#3 output", "#0 output")
    view.toggle_mark(3)
    assert view.marked is None
    view.cycle_diff()
    assert view.diff_mode is DiffMode.STEP  # EDITED joins the cycle only once something is edited


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("3", (3, None)),
        ("-1", (9, None)),
        ("1_0", (9, "No frame 10: frames are 0 to 9")),
        ("-20", (0, "No frame -10: frames are 0 to 9")),
    ],
)
def test_goto_reads_a_frame_number(typed: str, expected: tuple[int, str | None]) -> None:
    assert goto_target(typed, 10) == expected


def test_goto_refuses_text() -> None:
    with pytest.raises(ValueError, match="Not a frame number: x"):
        goto_target("x", 10)


def test_jumps_and_merges_keep_sorted_lists() -> None:
    found = [5]
    add_sorted(found, [9, 1, 5])
    assert found == [1, 5, 9]
    assert neighbour(found, 5, forward=True) == 9 and neighbour(found, 9, forward=True) == 1
    assert neighbour(found, 9, forward=True, wrap=False) is None
    assert neighbour(found, 5, forward=True, include_current=True) == 5
    assert neighbour(found, 1, forward=False) == 9 and neighbour([], 1, forward=False) is None
    known = [Problem(3, "a"), Problem(8, "b")]
    merged, fresh = merged_problems(known, [Problem(3, "a"), Problem(5, "c"), Problem(8, "other words")])
    assert fresh == 2 and [p.line for p in merged] == [3, 5, 8, 8]
    merged, fresh = merged_problems(known, [Problem(8, "other words", ProblemKind.MENDED)], by_line=True)
    assert fresh == 0 and merged is known
