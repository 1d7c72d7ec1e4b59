"""The diff pane: precomputed lines (from a worker) drawn with the Line API.

The lines arrive ready-made; this widget only crops them to the visible window, so a diff of
thousands of changes scrolls as cheaply as one of three.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Offset, Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from vcr_tui.logic.search_marks import highlighted
from vcr_tui.theme import LABEL_STYLE, italic
from vcr_tui.widgets.kept_lines import KeptLines


class DiffView(KeptLines, ScrollView, can_focus=True):
    """Scrollable, read-only list of the changes between two states."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_down", "down", show=False, id="diff.down"),
        Binding("k,up", "scroll_up", "up", show=False, id="diff.up"),
        Binding("h,left", "scroll_left", "left", show=False, id="diff.left"),
        Binding("l,right", "scroll_right", "right", show=False, id="diff.right"),
        Binding("g,home", "scroll_home", "top", show=False, id="diff.top"),
        Binding("G,end", "scroll_end", "bottom", show=False, id="diff.bottom"),
        Binding("pagedown,ctrl+d", "page_down", "page down", show=False, id="diff.page-down"),
        Binding("pageup,ctrl+u", "page_up", "page up", show=False, id="diff.page-up"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"diff-view--match"}
    DEFAULT_CSS = "DiffView > .diff-view--match { color: $warning; text-style: bold reverse; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.search_query = ""  # the search's text, marked wherever a line shows it
        self.lines: list[Text] = []
        self.summary = ""
        self.shown_key: tuple[object, ...] | None = None
        self._strips: dict[int, Strip] = {}
        self._paint: tuple[int, Offset, Style] | None = None  # resolved by the first row a paint draws

    def show_lines(self, lines: list[Text], *, key: tuple[object, ...] | None, summary: str = "") -> None:
        """Replace the content (``key`` says which comparison it is, for whoever asks)."""
        self.lines = lines
        self.summary = summary
        self.shown_key = key
        self._strips.clear()
        # Never smaller than the pane: a diff that fits keeps the same virtual size, and the
        # screen need not be laid out again for it.
        width = max((line.cell_len for line in lines), default=0)
        visible = self.size
        self.virtual_size = Size(max(width, visible.width), max(len(lines), visible.height))
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()

    def show_note(self, message: str, *, key: tuple[object, ...] | None = None) -> None:
        self.show_lines([Text(message, style=italic(LABEL_STYLE), end="")], key=key)

    def mark_query(self, query: str) -> None:
        """Mark ``query`` in every line from now on (the search's text; "" marks nothing)."""
        if query != self.search_query:
            self.search_query = query
            self._strips.clear()
            self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        """The lines kept from the last paint while the pane is unchanged (``KeptLines``), else drawn."""
        return self.kept_lines(crop, self._draw_lines)

    def _draw_lines(self, crop: Region) -> list[Strip]:
        # Looked up once per paint, not once per row: each costs a style resolution. And only by
        # a paint that draws a row.
        self._paint = None
        return ScrollView.render_lines(self, crop)

    def render_line(self, y: int) -> Strip:
        paint = self._paint
        if paint is None:
            paint = self._paint = (self.scrollable_content_region.width, self.scroll_offset, self.rich_style)
        width, (scroll_x, scroll_y), base = paint
        index = scroll_y + y
        if index >= len(self.lines):
            return Strip.blank(width, base)
        strip = self._strips.get(index)
        if strip is None:
            line = self.lines[index]
            if self.search_query:
                line = highlighted(line, self.search_query, self.get_component_rich_style("diff-view--match"))
            strip = Strip(list(line.render(self.app.console)), line.cell_len).apply_style(base)
            self._strips[index] = strip
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def on_resize(self) -> None:
        self._strips.clear()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # drawn with the old styles (a theme switch)
