"""The session list's cells: what each column of a recording's row says, as literal pieces.

Without widgets, so the process that scans a big folder can measure every row (``session_widths``)
and the list builds only the rows in view; the table draws them (``vcr_tui.widgets.line_table``).
Everything here that came from a file is cleaned of control characters and shortened.
"""

from __future__ import annotations

from typing import TypeGuard

from vcr_tui.logic.formatting import format_cost, format_timestamp, format_tokens
from vcr_tui.logic.safe_text import clean, shorten
from vcr_tui.logic.sessions import SessionEntry
from vcr_tui.logic.table_cells import Cell, Piece, cell_width
from vcr_tui.theme import (
    CAUTION_STYLE,
    ERROR_STYLE,
    LABEL_STYLE,
    MARK_GLYPH,
    NAME_STYLE,
    OK_STYLE,
    RUNNING_STYLE,
    TAG_STYLE,
    UNFINISHED_STYLE,
    bold,
)

ROW_LAYOUT = 1  # raised whenever what a row's cells say changes: row widths kept in a cache then are measured again
COLUMNS = ("session", "created (UTC)", "frames", "tokens", "cost", "outcome", "tags", "forked from")
NUMBER_COLUMNS = (2, 3, 4)
_INT = {int}


def are_widths(value: object) -> TypeGuard[list[int]]:
    """Whether ``value`` is a row's widths as ``session_widths`` gives them, one count of cells per
    column: how widths that come from another process or from the cache are checked before use
    (``type`` is compared, so no booleans)."""
    return type(value) is list and len(value) == len(COLUMNS) and set(map(type, value)) == _INT and min(value) >= 0


_OUTCOME_STYLES = {"ok": OK_STYLE, "error": ERROR_STYLE, "running": RUNNING_STYLE, "unfinished": UNFINISHED_STYLE}


_INDENT_STYLE = bold(LABEL_STYLE)
_NO_MARK: Piece = ("", NAME_STYLE)
_MARK: Piece = (f"{MARK_GLYPH} ", NAME_STYLE)
_NO_TAGS: Cell = (("", TAG_STYLE),)
_NO_NUMBER: Cell = (("—", ""),)
_NO_TIME: Cell = (("—", LABEL_STYLE),)
_NO_OUTCOME: Cell = (("—", LABEL_STYLE),)


def session_cells(entry: SessionEntry, *, marked: bool = False) -> list[Cell]:
    """One table row: literal text for everything that came from a file.

    (Ten thousand rows are built when a big folder opens: the pieces that never vary are made once.)
    """
    depth = entry.depth
    name: Cell = (
        _MARK if marked else _NO_MARK,
        ("  " * depth + "└ " if depth else "", _INDENT_STYLE),
        (shorten(clean(entry.session_id), 36), NAME_STYLE),
    )
    if entry.error:
        return [name, ((shorten(clean(entry.error), 60), ERROR_STYLE),), *(() for _ in COLUMNS[2:])]
    frames: Cell = (
        ((f"{entry.frames:,}", ""), (" ⚠", CAUTION_STYLE)) if entry.problems else ((f"{entry.frames:,}", ""),)
    )
    parent: Cell = ()
    if entry.parent_session_id:
        parent = ((shorten(clean(entry.parent_session_id), 30), ""),)
        if entry.forked_from_frame is not None:
            parent += ((f" @#{entry.forked_from_frame}", LABEL_STYLE),)
    created = entry.created_at
    return [
        name,
        ((clean(format_timestamp(created)[:16]), LABEL_STYLE),) if created else _NO_TIME,
        frames,
        ((format_tokens(entry.tokens), ""),) if entry.tokens else _NO_NUMBER,
        ((format_cost(entry.cost_usd), ""),) if entry.cost_usd else _NO_NUMBER,
        outcome_cell(entry),
        ((shorten(clean(", ".join(entry.tags)), 24), TAG_STYLE),) if entry.tags else _NO_TAGS,
        parent,
    ]


def outcome_cell(entry: SessionEntry) -> Cell:
    """The outcome in its colour (one cell per outcome, made once)."""
    outcome = entry.outcome
    if outcome is None:
        return _NO_OUTCOME
    cell = _OUTCOME_CELLS.get(outcome)
    if cell is None:
        cell = _OUTCOME_CELLS[outcome] = ((outcome.value, _OUTCOME_STYLES.get(outcome.value, "")),)
    return cell


_OUTCOME_CELLS: dict[object, Cell] = {}


def session_widths(entry: SessionEntry) -> tuple[int, ...]:
    """How wide each cell of the entry's (unmarked) row is drawn."""
    return tuple(map(cell_width, session_cells(entry)))
