"""The selected frame's facts above its state: type, node, time, model, tokens, cost, ids, error.

Each fact is a "label value" chunk; chunks are packed into lines for the widget's width, breaking
between facts and never inside one: two lines on a wide screen, a few more on a narrow one.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from recorder import Frame
from recorder.graph_facts import FACTS_KEY, GraphPlace, graph_place
from vcr_tui.logic.formatting import format_cost, format_latency, format_timestamp, format_tokens
from vcr_tui.logic.safe_text import clean, shorten
from vcr_tui.logic.workspace_facts import is_workspace_fact, snapshot_fact
from vcr_tui.theme import ERROR_ROW_STYLE, ERROR_STYLE, LABEL_STYLE, MODEL_STYLE, TYPE_LOOKS, italic
from vcr_tui.widgets.text_strips import TextLines

_GAP = "   "
_SHOWN_CUSTOM = 4
_ERROR_LINES = 3
_ERROR_LINES_SMALL = 2
_FACT_LINES = 5
_FACT_LINES_SMALL = 4
_SMALL_TERMINAL = 30  # rows
_NARROW = 60  # columns


def _chunk(label: str, value: str, style: str = "") -> Text:
    text = Text(label + " ", style=LABEL_STYLE, end="")
    text.append(clean(value), style=style)
    return text


def detail_chunks(frame: Frame, *, narrow: bool = False) -> list[Text]:
    """The facts of one frame, most useful first, each an unbreakable "label value" chunk.

    ``narrow`` spells the long ones short (time without the date, ids by their first 8
    characters), for an 80-column terminal.
    """
    meta = frame.metadata
    look = TYPE_LOOKS[frame.frame_type]
    chunks: list[Text] = []
    title = Text(f"#{frame.index} ", style="bold", end="")
    title.append(f"{look.glyph} {look.word} ", style=look.style)
    title.append(shorten(clean(frame.node_name), 60), style="bold")
    chunks.append(title)
    snapshot = snapshot_fact(meta.custom)
    if snapshot is not None:
        chunks.append(snapshot)
    if meta.model and frame.node_name != f"llm:{meta.model}":  # llm:<model> already says it
        chunks.append(_chunk("model", shorten(meta.model, 40), MODEL_STYLE))
    tokens = _tokens(meta.tokens_input, meta.tokens_output, meta.tokens_used)
    if tokens:
        chunks.append(_chunk("tokens", tokens))
    if meta.cost_usd is not None:
        chunks.append(_chunk("cost", format_cost(meta.cost_usd)))
    if meta.latency_ms:
        chunks.append(_chunk("latency", format_latency(meta.latency_ms)))
    if frame.timestamp:
        chunks.append(_chunk("at", format_timestamp(frame.timestamp, with_date=not narrow)))
    id_width = 9 if narrow else 36
    chunks.append(_chunk("id", shorten(frame.frame_id or "—", id_width), LABEL_STYLE))
    if frame.parent_frame_id:
        chunks.append(_chunk("parent", shorten(frame.parent_frame_id, id_width), LABEL_STYLE))
    chunks.append(_chunk("line", str(frame.line), LABEL_STYLE))
    place = graph_place(frame)
    if place is not None:
        chunks.append(_chunk("langgraph", _describe_place(place), LABEL_STYLE))
    shown_custom = [
        (key, value)
        for key, value in meta.custom.items()
        if not is_workspace_fact(key) and not (place is not None and key == FACTS_KEY)
    ]
    for key, value in shown_custom[:_SHOWN_CUSTOM]:
        chunks.append(_chunk(shorten(clean(str(key)), 24), shorten(_scalar(value), 40), LABEL_STYLE))
    return chunks


def _describe_place(place: GraphPlace) -> str:
    """Where a graph node ran, in words: its superstep, the agent's invocation, the send."""
    words = [f"step {place.step}"]
    if place.run is not None:
        words.append(f"invocation {place.run}")
    if place.sent:
        words.append(f"Send #{place.send}" if place.send is not None else "Send")
    return " · ".join(words)


def error_text(frame: Frame) -> Text | None:
    """The error of a failed step, in red, or None."""
    meta = frame.metadata
    if not (meta.error_type or meta.error_message or frame.frame_type.value == "error"):
        return None
    error = Text("✖ ", style=ERROR_STYLE, end="")
    error.append(clean(meta.error_type or "error"), style=ERROR_STYLE)
    if meta.error_message:
        error.append(": ", style=ERROR_STYLE)
        error.append(shorten(clean(meta.error_message), 400), style=ERROR_ROW_STYLE)
    return error


def pack(chunks: list[Text], width: int) -> list[Text]:
    """Chunks on as few lines as fit ``width``, never breaking one (a too-long one is cut)."""
    lines: list[Text] = []
    line = Text(end="")
    used = 0  # the line's cells, counted as it grows (measuring the line itself joins its text each time)
    for chunk in chunks:
        size = chunk.cell_len
        if used and used + len(_GAP) + size > width:
            lines.append(line)
            line, used = Text(end=""), 0
        if used:
            line.append(_GAP)
            used += len(_GAP)
        line.append_text(chunk)
        used += size
    if used:
        lines.append(line)
    for text in lines:
        text.truncate(max(width, 1), overflow="ellipsis")
    return lines


def _tokens(tokens_in: int | None, tokens_out: int | None, used: int | None) -> str:
    if tokens_in is not None or tokens_out is not None:
        total = used if used is not None else (tokens_in or 0) + (tokens_out or 0)
        return f"{format_tokens(total)} ({format_tokens(tokens_in or 0)} in, {format_tokens(tokens_out or 0)} out)"
    return format_tokens(used)


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return value
    return repr(value)


class FrameDetails(Widget):
    """The metadata block of the frame pane; as tall as its facts need at the current width."""

    DEFAULT_CSS = """
    FrameDetails { height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.frame: Frame | None = None
        self.note = ""
        self._height = (0, 0)  # (width, lines): the tallest block seen at this width
        self._built: tuple[Frame | None, tuple[object, ...], list[Text]] | None = None  # the last block, for what
        self._drawn = TextLines()

    def show_frame(self, frame: Frame) -> None:
        self.frame = frame
        self._changed()

    def show_note(self, message: str) -> None:
        self.frame = None
        self.note = message
        self._changed()

    def _changed(self) -> None:
        """Repaint the rows that change; lay the screen out again only when the block must grow.

        The block keeps the tallest height it needed at this width, so stepping between frames
        with and without an error line does not make the panes below jump (nor cost a layout).
        Rows whose line is the one already drawn (the time, the model, ...) are not repainted: a
        step draws and sends fewer lines.
        """
        width = self.size.width
        lines = self.lines_for(width)
        if len(lines) > self.size.height:
            self.refresh(layout=True)
            return
        rows = self._drawn.changed_rows(lines)
        if rows is None or self.text_selection is not None:
            self.refresh()
            return
        if rows:
            self.refresh(*[Region(0, y, width, 1) for y in rows])

    def lines_for(self, width: int) -> list[Text]:
        """The block at ``width``: fewer facts in a small terminal, the error always shown.

        A step asks for it up to three times (to decide on a layout, for the height, to draw): it
        is built once per frame, width and terminal height.
        """
        small = self.app.size.height < _SMALL_TERMINAL
        key = (self.note, width, small)
        built = self._built
        if built is not None and built[0] is self.frame and built[1] == key:  # the same frame object
            return built[2]
        lines = self._build_lines(width, small)
        self._built = (self.frame, key, lines)
        return lines

    def _build_lines(self, width: int, small: bool) -> list[Text]:
        if self.frame is None:
            return [Text(self.note, style=italic(LABEL_STYLE), end="")]
        lines = pack(detail_chunks(self.frame, narrow=width < _NARROW), width)
        lines = lines[: _FACT_LINES_SMALL if small else _FACT_LINES]
        error = error_text(self.frame)
        if error is not None:
            wrapped = error.wrap(self.app.console, max(width, 1))
            lines.extend(list(wrapped)[: _ERROR_LINES_SMALL if small else _ERROR_LINES])
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        needed = len(self.lines_for(width))
        tallest = self._height[1] if self._height[0] == width else 0
        self._height = (width, max(needed, tallest))
        return self._height[1]

    def render(self) -> Text:
        return Text("\n", end="").join(self.lines_for(self.size.width))

    def render_line(self, y: int) -> Strip:
        """A line of the block, drawn from its packed lines (``text_strips``) rather than from ``render()``."""
        if self.text_selection is not None:
            return super().render_line(y)  # draws the selection's highlight
        width = self.size.width
        lines = self.lines_for(width)
        base = self.visual_style.rich_style
        strips = self._drawn.strips(lines, lines, self.app.console, base)
        return strips[y] if y < len(strips) else Strip.blank(width, base)
