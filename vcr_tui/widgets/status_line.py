"""The status line: where you are, what this step cost, and anything that needs attention.

Fields are laid out left to right and, when the terminal is narrow, the least useful ones are
dropped first (the frame position, the warnings and the live marker always stay).
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from recorder.slotted import Slotted
from vcr_tui.logic.formatting import format_cost, format_count, format_latency, format_tokens
from vcr_tui.logic.frame_rows import FrameRow
from vcr_tui.logic.safe_text import clean, shorten
from vcr_tui.theme import ERROR_STYLE, FORK_STYLE, MARKER_STYLES, MODEL_STYLE, TYPE_LOOKS, WARNING_STYLE
from vcr_tui.widgets.text_strips import TextLines

_SEPARATOR = " │ "
# The marker's look, by what it says (``theme.MARKER_STYLES`` explains the colours).
_MARKER_STYLES = {
    "LIVE": MARKER_STYLES["live"],
    "PAUSED": MARKER_STYLES["paused"],
    "CONNECTING": MARKER_STYLES["waiting"],
    "RECONNECTING": MARKER_STYLES["waiting"],
    "WAITING": MARKER_STYLES["waiting"],
    "ENDED": MARKER_STYLES["ended"],
    "COMPLETE": MARKER_STYLES["complete"],
    "IDLE": MARKER_STYLES["ended"],
    "FAILED": MARKER_STYLES["failed"],
}


class StatusFields(Slotted):
    """Everything the status line can show; the screen fills in what it knows."""

    __slots__ = (
        "activity",
        "count",
        "extras",
        "fork",
        "index",
        "live",
        "live_note",
        "new_frames",
        "row",
        "session_id",
        "skipped",
        "totals",
    )

    def __init__(
        self,
        session_id: str = "",
        index: int | None = None,
        count: int = 0,
        row: FrameRow | None = None,
        skipped: int = 0,
        live: str | None = None,
        new_frames: int = 0,
        live_note: str = "",
        activity: str = "",
        extras: list[str] | None = None,
        fork: str = "",
        totals: str = "",
    ) -> None:
        self.session_id = session_id
        self.index = index
        self.count = count
        self.row = row
        self.skipped = skipped
        self.live = live  # "LIVE" / "PAUSED" for a recording that is still growing
        self.new_frames = new_frames
        self.live_note = live_note  # what the source says when it is not simply live (reconnecting, failed, ...)
        self.activity = activity  # search or scan progress
        self.extras: list[str] = [] if extras is None else extras
        self.fork = fork  # whose fork this run is, and at which frame (``run_identity``)
        self.totals = totals  # the run's tokens and cost


class StatusLine(Widget):
    """One row at the bottom of the file screen; setting ``fields`` redraws it (only if they changed)."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    fields: reactive[StatusFields] = reactive(StatusFields, layout=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._drawn = TextLines()
        self._line: tuple[StatusFields, int, Text] | None = None  # the line last built, from what

    def render(self) -> Text:
        width = self.size.width
        built = self._line
        if built is None or built[0] is not self.fields or built[1] != width:
            built = self._line = (self.fields, width, fit(build_parts(self.fields), width))
        return built[2]

    def render_line(self, y: int) -> Strip:
        """The line drawn from its text (``text_strips``): a step repaints it, and nothing else needs doing."""
        if self.text_selection is not None:
            return super().render_line(y)  # draws the selection's highlight
        line = self.render()
        base = self.visual_style.rich_style
        if y:
            return Strip.blank(self.size.width, base)
        return self._drawn.strips(line, [line], self.app.console, base)[0]


# A part is (priority, text): higher priorities survive a narrow terminal.
Part = tuple[int, Text]


def build_parts(fields: StatusFields) -> list[Part]:
    parts: list[Part] = []
    if fields.live:
        marker = Text(f" {fields.live} ", style=_MARKER_STYLES.get(fields.live, MARKER_STYLES["paused"]))
        if fields.new_frames:
            marker.append(f" +{format_count(fields.new_frames, 'new frame')}", style="bold")
        parts.append((100, marker))
        if fields.live_note:
            parts.append((85, Text(shorten(clean(fields.live_note), 72), style="italic")))
    if fields.session_id:
        parts.append((80, Text(shorten(clean(fields.session_id), 28), style="bold")))
    if fields.fork:
        parts.append((75, Text(fields.fork, style=FORK_STYLE)))
    if fields.totals:
        parts.append((55, Text(fields.totals)))
    if fields.index is not None and fields.count:
        parts.append((90, Text(f"#{fields.index} ({fields.index + 1:,}/{fields.count:,})")))
    elif fields.count == 0:
        parts.append((90, Text("no frames", style="dim")))
    row = fields.row
    if row is not None:
        look = TYPE_LOOKS[row.frame_type]
        parts.append((70, Text(shorten(clean(row.node_name), 32), style=ERROR_STYLE if row.is_error else "")))
        parts.append((35, Text(f"{look.glyph} {look.word}", style=look.style)))
        if row.model:
            parts.append((20, Text(shorten(clean(row.model), 24), style=MODEL_STYLE)))
        if row.tokens is not None:
            parts.append((50, Text(f"{format_tokens(row.tokens)} tok")))
        if row.cost_usd is not None:
            parts.append((30, Text(format_cost(row.cost_usd))))
        if row.latency_ms:
            parts.append((45, Text(format_latency(row.latency_ms))))
    for extra in fields.extras:
        parts.append((60, Text(extra, style="bold")))
    if fields.activity:
        parts.append((65, Text(fields.activity, style="italic")))
    if fields.skipped:
        parts.append((95, Text(f"⚠ {format_count(fields.skipped, 'line')} skipped", style=WARNING_STYLE)))
    return parts


def fit(parts: list[Part], width: int) -> Text:
    """Join the parts with separators, dropping the lowest priorities until the line fits."""
    kept = list(parts)

    def length(items: list[Part]) -> int:
        return 1 + sum(text.cell_len for _, text in items) + len(_SEPARATOR) * max(len(items) - 1, 0)

    while len(kept) > 1 and width > 0 and length(kept) > width:
        lowest = min(range(len(kept)), key=lambda position: kept[position][0])
        del kept[lowest]
    line = Text(" ", no_wrap=True, overflow="ellipsis", end="")
    for position, (_, text) in enumerate(kept):
        if position:
            line.append(_SEPARATOR, style="dim")
        line.append_text(text)
    return line
