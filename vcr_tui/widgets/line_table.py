"""A table that draws only the rows in view, so ten thousand rows cost what thirty do.

``DataTable`` builds and measures a renderable for every cell it is given; a folder of 10,000
sessions spent its whole budget (and then some) just being added. Here rows are kept as plain
pieces of text with a style name each (cheap tuples), column widths are summed from those
strings, and a line is turned into segments only when Textual asks for it (the Line API of a
``ScrollView``). The look follows ``DataTable``'s: a fixed header, zebra stripes, a row cursor.

Text from a recording stays literal: pieces become ``rich.text.Text`` spans, never markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.console import Console
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.renderables.styled import Styled
from textual.scroll_view import ScrollView
from textual.strip import Strip

from vcr_tui.logic.table_cells import Cell, Piece, cell_text, cell_width

__all__ = ["Cell", "LineTable", "Piece", "Row", "cell_text", "cell_width"]

_PADDING = 1  # a space either side of every cell, as DataTable draws them
_NULL = Style()


class Row:
    """One row's cells and their widths, measured once (a list keeps the same rows across redraws).

    ``Row.later`` makes a row whose widths are known and whose cells are built only when it is
    first drawn: of a folder's ten thousand rows, measured by the process that scanned it, only
    those scrolled into view are ever built.
    """

    __slots__ = ("_cells", "_make", "widths")

    def __init__(self, cells: Sequence[Cell]) -> None:
        self._cells: tuple[Cell, ...] | None = tuple(cells)
        self._make: Callable[[], Sequence[Cell]] | None = None
        self.widths = tuple(map(cell_width, self._cells))

    @classmethod
    def later(cls, widths: tuple[int, ...], make: Callable[[], Sequence[Cell]]) -> Row:
        """A row of these widths whose cells ``make()`` builds when they are first asked for."""
        row = cls.__new__(cls)
        row._cells, row._make, row.widths = None, make, widths
        return row

    @property
    def cells(self) -> tuple[Cell, ...]:
        cells = self._cells
        if cells is None:
            assert self._make is not None
            cells = self._cells = tuple(self._make())
            self._make = None
        return cells


class LineTable(ScrollView, can_focus=True):
    """Rows of cells with a header and a row cursor; only the visible lines are rendered."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "line-table--header",
        "line-table--cursor",
        "line-table--even-row",
        "line-table--odd-row",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "up", show=False),
        Binding("down", "cursor_down", "down", show=False),
        Binding("pageup", "page_up", "page up", show=False),
        Binding("pagedown", "page_down", "page down", show=False),
        Binding("home", "scroll_top", "top", show=False),
        Binding("end", "scroll_bottom", "bottom", show=False),
        Binding("enter", "select_cursor", "select", show=False),
    ]

    DEFAULT_CSS = """
    LineTable {
        background: $surface;
        color: $foreground;
        &:focus {
            background-tint: $foreground 5%;
            & > .line-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .line-table--header { background-tint: $foreground 5%; }
        }
        &:dark > .line-table--even-row { background: $surface-darken-1 40%; }
        & > .line-table--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .line-table--header { background: ansi_bright_blue; color: ansi_default; }
        & > .line-table--even-row { background: $surface-lighten-1 50%; }
        & > .line-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    class RowSelected(Message):
        """Enter (or a click on the cursor's row) chose a row."""

        def __init__(self, table: LineTable, cursor_row: int) -> None:
            super().__init__()
            self.table = table
            self.cursor_row = cursor_row

        @property
        def control(self) -> LineTable:
            return self.table

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._labels: tuple[str, ...] = ()
        self._rows: list[Row] = []
        self._widths: list[int] = []
        self._right: frozenset[int] = frozenset()
        self._cursor = 0

    # -- content ---------------------------------------------------------------------------------

    def set_columns(self, labels: Sequence[str], *, right_aligned: Sequence[int] = ()) -> None:
        """The headings; ``right_aligned`` columns (numbers) line their cells and heading up on the right."""
        self._labels = tuple(labels)
        self._right = frozenset(right_aligned)
        self.set_rows(self._rows)

    def set_rows(self, rows: list[Row], *, cursor: int | None = None) -> None:
        """Replace every row; the cursor stays on its index (clamped) unless ``cursor`` moves it."""
        self._rows = rows
        content = [max(column) for column in zip(*(row.widths for row in rows), strict=True)] if rows else []
        content = content or [0] * len(self._labels)
        self._widths = [max(cell_len(label), width) for label, width in zip(self._labels, content, strict=True)]
        table_width = sum(self._widths) + 2 * _PADDING * len(self._widths)
        self.virtual_size = Size(table_width, len(rows) + 1)
        self._cursor = self._clamped(self._cursor if cursor is None else cursor)
        self._keep_cursor_visible()
        self.refresh()

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def get_row_at(self, row: int) -> list[Text]:
        """The cells of one row as text (as ``DataTable.get_row_at`` gives them)."""
        return [cell_text(cell) for cell in self._rows[row].cells]

    # -- the cursor ------------------------------------------------------------------------------

    @property
    def cursor_row(self) -> int:
        return self._cursor

    def move_cursor(self, row: int) -> None:
        self._cursor = self._clamped(row)
        self._keep_cursor_visible()
        self.refresh()

    def _clamped(self, row: int) -> int:
        return max(0, min(row, len(self._rows) - 1))

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _keep_cursor_visible(self) -> None:
        top = int(self.scroll_y)
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        elif self._cursor >= top + self._page:
            self.scroll_to(y=self._cursor - self._page + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self._cursor - self._page)

    def action_page_down(self) -> None:
        self.move_cursor(self._cursor + self._page)

    def action_scroll_top(self) -> None:
        self.move_cursor(0)

    def action_scroll_bottom(self) -> None:
        self.move_cursor(len(self._rows) - 1)

    def action_select_cursor(self) -> None:
        if self._rows:
            self.post_message(self.RowSelected(self, self._cursor))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        row = int(self.scroll_y) + offset.y - 1
        if not 0 <= row < len(self._rows):
            return
        event.stop()
        if row == self._cursor:
            self.action_select_cursor()
        else:
            self.move_cursor(row)

    # -- drawing ---------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x = int(self.scroll_x)
        if y == 0:
            cells: Sequence[Cell] = [((label, ""),) for label in self._labels]
            index = -1
        else:
            index = int(self.scroll_y) + y - 1
            if index >= len(self._rows):
                return Strip.blank(width, self.rich_style)
            cells = self._rows[index].cells
        return self._render_row(cells, index, scroll_x + width).crop(scroll_x, scroll_x + width)

    def _row_style(self, index: int) -> Style:
        if index < 0:
            name = "line-table--header"
        else:
            name = "line-table--odd-row" if index % 2 else "line-table--even-row"
        return self.get_component_styles(name).rich_style

    def _render_row(self, cells: Sequence[Cell], index: int, min_width: int) -> Strip:
        """The whole row, at least ``min_width`` cells wide (the stripe or cursor runs to the edge).

        Each cell is drawn padded and styled on its own, as ``DataTable`` draws it (a padded
        ``Text`` under the row's style): the segments are made here directly, since going through
        Rich's renderables for every cell of every line cost more than the rest of a screen update.
        """
        row_style = self._row_style(index)
        post = Style()
        pre = row_style
        if index == self._cursor and index >= 0:
            cursor_style = self.get_component_rich_style("line-table--cursor")
            pre = row_style + cursor_style
            post = Style.from_color(color=cursor_style.color)
        console = self.app.console
        get_style = console.get_style
        segments: list[Segment] = []
        for column, (cell, width) in enumerate(zip(cells, self._widths, strict=False)):
            where = pre + Style.from_meta({"row": index, "column": column})  # also keeps cells apart
            blank = where + _NULL + post
            used = cell_width(cell)
            lead = 0
            if column in self._right and used < width:
                lead = width - used  # numbers and their heading flush right, so digits line up under it
            if used + lead > width or not all(content.isprintable() for content, _ in cell):
                segments.extend(self._render_cell(console, cell, lead, width, where, post))  # the general case
                continue
            segments.append(Segment(" " * (_PADDING + lead), blank))
            for content, style in cell:
                if content:
                    segments.append(Segment(content, where + get_style(style, default=_NULL) + post))
            segments.append(Segment(" " * (width - used - lead + _PADDING), blank))
        edge = pre + Style.from_meta({"row": index, "column": 0, "out_of_bounds": True})
        return Strip(segments).extend_cell_length(min_width, edge).simplify()

    def _render_cell(
        self, console: Console, cell: Cell, lead: int, width: int, where: Style, post: Style
    ) -> list[Segment]:
        """One cell through Rich (text that is wider than its column, or holds tabs or line breaks)."""
        text = Text(" " * lead) + cell_text(cell) if lead else cell_text(cell)
        options = console.options.update(width=width + 2 * _PADDING, height=1, no_wrap=True)
        return console.render_lines(Styled(Padding(text, (0, _PADDING)), where, post), options)[0]
