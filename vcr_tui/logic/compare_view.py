"""What the compare screen shows, kept free of Textual: the cursor over aligned pairs, the diff
mode, and the text of each row, summary and status.

The screen owns widgets; this owns the facts. Every string that came from a recording passes
through ``safe_text`` here, before any widget sees it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from rich.text import Text

from recorder.compare import AlignedPair, PairKind, RunComparison, RunSide, StepDigest
from vcr_tui.logic.diff_model import DiffRequest
from vcr_tui.logic.formatting import format_cost, format_count, format_tokens
from vcr_tui.logic.safe_text import clean
from vcr_tui.theme import CHANGE_STYLES, ERROR_STYLE, FORK_POINT_STYLE, LABEL_STYLE, NOTE_STYLE, TYPE_LOOKS, bold

PAIR_LOOKS: dict[PairKind, tuple[str, str]] = {
    PairKind.SAME: (" ", ""),
    PairKind.CHANGED: ("~", bold(CHANGE_STYLES["changed"][1])),
    PairKind.ONLY_A: ("-", bold(CHANGE_STYLES["removed"][1])),
    PairKind.ONLY_B: ("+", bold(CHANGE_STYLES["added"][1])),
    PairKind.FORK_POINT: ("⑂", FORK_POINT_STYLE),
}


class CompareMode(str, enum.Enum):
    """What the diff pane compares for the selected pair; ``d`` cycles through them."""

    OUTPUT = "output"
    INPUT = "input"
    STEP_A = "step_a"
    STEP_B = "step_b"

    @property
    def caption(self) -> str:
        return {
            CompareMode.OUTPUT: "A's output → B's output",
            CompareMode.INPUT: "A's input → B's input",
            CompareMode.STEP_A: "what the step changed in A",
            CompareMode.STEP_B: "what the step changed in B",
        }[self]

    def following(self) -> CompareMode:
        members = list(CompareMode)
        return members[(members.index(self) + 1) % len(members)]


@dataclass
class CompareView:
    """The cursor and diff mode over one comparison."""

    comparison: RunComparison
    cursor: int = 0
    mode: CompareMode = CompareMode.OUTPUT

    def __post_init__(self) -> None:
        first = self.comparison.first_divergence
        self.cursor = first if first is not None else 0

    @property
    def count(self) -> int:
        return len(self.comparison.pairs)

    @property
    def pair(self) -> AlignedPair | None:
        return self.comparison.pairs[self.cursor] if self.count else None

    def move_to(self, position: int) -> bool:
        """Put the cursor on ``position`` (clamped); True when it moved."""
        if not self.count:
            return False
        position = max(0, min(position, self.count - 1))
        moved = position != self.cursor
        self.cursor = position
        return moved

    def next_difference(self, step: int) -> int | None:
        return self.comparison.next_difference(self.cursor, step)

    # -- what the panes show -----------------------------------------------------------------

    def diff_request(self) -> DiffRequest | None:
        """The two states the diff pane compares for the selected pair, in the current mode."""
        if not self.count:
            return None
        frame_a, frame_b = self.comparison.frames(self.cursor)
        key = ("compare", self.cursor, self.mode)
        if self.mode is CompareMode.STEP_A or self.mode is CompareMode.STEP_B:
            frame = frame_a if self.mode is CompareMode.STEP_A else frame_b
            side = "A" if self.mode is CompareMode.STEP_A else "B"
            if frame is None:
                return DiffRequest(key, {}, {}, f"{side} has no step here", "")
            return DiffRequest(key, frame.input_state, frame.output_state, f"{side} #{frame.index} input", "output")
        output = self.mode is CompareMode.OUTPUT
        before = (frame_a.output_state if output else frame_a.input_state) if frame_a is not None else {}
        after = (frame_b.output_state if output else frame_b.input_state) if frame_b is not None else {}
        label = "output" if output else "input"
        before_label = f"A #{frame_a.index} {label}" if frame_a is not None else "A (no step)"
        after_label = f"B #{frame_b.index} {label}" if frame_b is not None else "B (no step)"
        return DiffRequest(key, before, after, before_label, after_label)

    def summary(self) -> Text:
        """Two lines, one per run, and a third with the deltas."""
        a, b = self.comparison.a, self.comparison.b
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        for label, side in (("A", a), ("B", b)):
            text.append(f" {label} ", style="bold reverse")
            text.append(" ")
            text.append_text(side_summary(side))
            text.append("\n")
        text.append(" Δ ", style="bold reverse")
        text.append(" ")
        text.append(delta_summary(a, b), style=LABEL_STYLE)
        return text

    def status(self) -> str:
        """Where the cursor is and how many pairs differ."""
        differing = len(self.comparison.differing)
        first = self.comparison.first_divergence
        where = f"pair {self.cursor + 1}/{self.count}" if self.count else "no frames on either side"
        if first is None:
            verdict = "the runs are equivalent"
        else:
            verdict = f"{differing} differing pair{'s' if differing != 1 else ''} · first at pair {first + 1}"
        return f"{where} │ {verdict} │ diff: {self.mode.caption}"


def side_summary(side: RunSide) -> Text:
    totals = side.totals
    text = Text(no_wrap=True, end="")
    text.append(clean(side.session_id), style="bold")
    text.append(f"  {format_count(totals.steps, 'step')} · ", style="")
    text.append(format_count(totals.errors, "error"), style=ERROR_STYLE if totals.errors else "")
    text.append(
        f" · {format_tokens(totals.tokens)} tokens · {format_cost(totals.cost_usd)} · "
        f"{totals.latency_ms / 1000:.2f} s · "
    )
    text.append(totals.outcome.label, style=ERROR_STYLE if totals.outcome.value == "error" else "bold")
    return text


def delta_summary(a: RunSide, b: RunSide) -> str:
    ta, tb = a.totals, b.totals
    cost = tb.cost_usd - ta.cost_usd
    return (
        f"B − A: {tb.steps - ta.steps:+d} steps · {tb.errors - ta.errors:+d} errors · "
        f"{tb.tokens - ta.tokens:+,d} tokens · {'-' if cost < 0 else '+'}{format_cost(abs(cost))} · "
        f"{(tb.latency_ms - ta.latency_ms) / 1000:+.2f} s"
    )


def pair_cells(pair: AlignedPair, step_a: StepDigest | None, step_b: StepDigest | None, width: int) -> Text:
    """One row of the aligned list: the mark, then A's step and B's step in two equal columns."""
    mark, mark_style = PAIR_LOOKS[pair.kind]
    side_width = max((width - 2) // 2, 8)
    text = Text(no_wrap=True, end="")
    text.append(f"{mark} ", style=mark_style)
    text.append_text(_side_cell(step_a, side_width, pair.input_differs, pair.output_differs))
    text.append_text(_side_cell(step_b, side_width, pair.input_differs, pair.output_differs))
    return text


def _side_cell(step: StepDigest | None, width: int, input_differs: bool, output_differs: bool) -> Text:
    cell = Text(no_wrap=True, end="")
    if step is None:
        cell.append("·" + " " * (width - 1), style=LABEL_STYLE)
        return cell
    look = TYPE_LOOKS[step.frame_type]
    index = f"#{step.index}"
    flags = ("i" if input_differs else " ") + ("o" if output_differs else " ")
    room = max(width - len(index) - 8, 1)  # index, glyph, flags and the spaces between
    name = clean(step.node_name)
    if len(name) > room:
        name = name[: max(room - 1, 0)] + "…"
    cell.append(index, style=LABEL_STYLE)
    cell.append(" ")
    cell.append(look.glyph, style=look.style)
    cell.append(" ")
    cell.append(f"{name:<{room}}", style=ERROR_STYLE if step.is_error else "")
    cell.append(f" {flags}  ", style=NOTE_STYLE)
    return cell
