"""A table cell as plain pieces of text with a style each, and how wide it is drawn.

Without widgets, so the process that scans a big folder can measure the session list's cells
(the table draws them: ``vcr_tui.widgets.line_table``).
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

Piece = tuple[str, str | Style]
"""A run of literal text and the Rich style it is drawn in ('' for the row's own)."""
Cell = tuple[Piece, ...]


def cell_text(cell: Cell) -> Text:
    """The cell as a ``Text`` (literal: no markup is parsed)."""
    text = Text()
    for content, style in cell:
        text.append(content, style=style)
    return text


_WIDTHS: dict[str, int] = {}  # of the non-ASCII pieces seen: most are the same few marks and dashes


def cell_width(cell: Cell) -> int:
    """Terminal cells the text takes (a wide character two, a combining mark none)."""
    width = 0
    for content, _ in cell:
        if content.isascii():
            width += len(content)
        else:
            known = _WIDTHS.get(content)
            if known is None:
                known = cell_len(content)
                if len(_WIDTHS) < 4096:
                    _WIDTHS[content] = known
            width += known
    return width
