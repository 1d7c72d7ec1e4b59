"""The table draws each line's segments itself: they must be the very segments that Rich gives
for the same cells drawn as padded text under the row's style (the way the table used to draw
them, and the way ``DataTable`` does), for every kind of row and cell."""

from __future__ import annotations

from collections.abc import Sequence

from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.renderables.styled import Styled
from textual.strip import Strip

from vcr_tui.theme import CAUTION_STYLE, LABEL_STYLE, NAME_STYLE, TAG_STYLE, bold, terminal_theme
from vcr_tui.widgets.line_table import Cell, LineTable, Row, cell_text

LABELS = ("name", "when", "count", "tags")
ROWS: list[list[Cell]] = [
    [
        (("", NAME_STYLE), ("  └ ", bold(LABEL_STYLE)), ("run-1", NAME_STYLE)),
        (("2026-01-02", LABEL_STYLE),),
        (("1,234", ""),),
        (),
    ],
    [
        (("◆ ", NAME_STYLE), ("", LABEL_STYLE), ("a-much-longer-session-name", NAME_STYLE)),
        (("—", LABEL_STYLE),),
        (("7", ""), (" ⚠", CAUTION_STYLE)),
        (("nightly, 夜間", TAG_STYLE),),
    ],
    [
        (("[bold]not markup[/]", Style(italic=True)),),
        (("gone", "vcr.no-such-role"),),
        (("12", "bold red"),),
        (("x", ""), ("", TAG_STYLE), ("y", TAG_STYLE)),
    ],
    [(("tab\there", NAME_STYLE),), (("line\nbreak", ""),), (("3", ""),), (("ok", ""),)],
]


def reference_row(table: LineTable, cells: Sequence[Cell], index: int, min_width: int) -> Strip:
    """The row as Rich draws it: each cell a ``Text``, padded, under the row's (and cursor's) style."""
    row_style = table._row_style(index)
    post, pre = Style(), row_style
    if index == table.cursor_row and index >= 0:
        cursor_style = table.get_component_rich_style("line-table--cursor")
        pre, post = row_style + cursor_style, Style.from_color(color=cursor_style.color)
    console = table.app.console
    segments: list[Segment] = []
    for column, (cell, width) in enumerate(zip(cells, table._widths, strict=False)):
        text = cell_text(cell)
        if column in table._right and text.cell_len < width:
            text = Text(" " * (width - text.cell_len)) + text
        options = console.options.update(width=width + 2, height=1, no_wrap=True)
        where = Style.from_meta({"row": index, "column": column})
        segments.extend(console.render_lines(Styled(Padding(text, (0, 1)), pre + where, post), options)[0])
    edge = pre + Style.from_meta({"row": index, "column": 0, "out_of_bounds": True})
    return Strip(segments).extend_cell_length(min_width, edge).simplify()


class TableApp(App[None]):
    def on_mount(self) -> None:
        self.console.push_theme(terminal_theme())  # the roles the cells name, as the app has them

    def compose(self) -> ComposeResult:
        yield LineTable()


async def test_each_line_has_the_segments_rich_would_draw() -> None:
    app = TableApp()
    async with app.run_test(size=(100, 12)) as pilot:
        table = app.query_one(LineTable)
        table.set_columns(LABELS, right_aligned=(2,))
        table.set_rows([Row(cells) for cells in ROWS])
        table.focus()
        await pilot.pause()
        header: list[Cell] = [((label, ""),) for label in LABELS]
        for cursor in range(len(ROWS)):
            table.move_cursor(cursor)
            for index, cells in [(-1, header), *enumerate(ROWS)]:
                for width in (0, 90):
                    drawn = table._render_row(cells, index, width)
                    assert list(drawn) == list(reference_row(table, cells, index, width)), (cursor, index, width)
        table.blur()
        await pilot.pause()
        drawn = table._render_row(ROWS[0], 0, 90)
        assert list(drawn) == list(reference_row(table, ROWS[0], 0, 90))  # the cursor of an unfocused table


async def test_a_number_column_and_its_heading_end_at_the_same_cell() -> None:
    # Short counts under a wider heading ("count" over "12") line up on the heading's right edge.
    app = TableApp()
    async with app.run_test(size=(100, 12)) as pilot:
        table = app.query_one(LineTable)
        table.set_columns(LABELS, right_aligned=(2,))
        table.set_rows([Row(cells) for cells in ROWS[2:3]])
        await pilot.pause()
        heading, row = (table.render_line(y).text for y in (0, 1))
        assert heading.index("count") + len("count") == row.index("12") + len("12")
