"""Which frame list columns fit in a width, and which give way first when they do not all fit.

The node name is what tells frames apart, so on a narrow pane it is the last thing cut: the
latency and token columns give way to it first (latency before tokens, which say what a model
call cost), then the name is cut to what is left. A wide pane keeps its columns as they are; the
type word, the clock time and the cost only appear there anyway.

No Textual here: the frame list asks this module, and so can any other widget that draws rows.
"""

from __future__ import annotations

from rich.cells import cell_len

from recorder.models import FrameType
from vcr_tui.logic.frame_rows import FrameRow
from vcr_tui.logic.safe_text import clean

NARROW = 44  # below this many cells a pane is narrow: no type word, and names come first
NAME_WANT_CAP = 24  # a name longer than this is cut rather than take every column
LATENCY = 7
TOKENS_WIDE = 7
TOKENS_NARROW = 6
MARKER_CELLS = 2  # "! " before a failed step's name, or the snapshot glyph and a space


def name_cells(row: FrameRow) -> int:
    """The cells a row's node name needs, its markers included (as the frame list draws them)."""
    cells = cell_len(clean(row.node_name))
    if row.is_error and row.frame_type is not FrameType.ERROR:
        cells += MARKER_CELLS
    if row.has_snapshot:
        cells += MARKER_CELLS
    return cells


class Columns:
    """Which columns fit in a given width, and how wide each is (0: left out)."""

    def __init__(self, width: int, frame_count: int, name_want: int = 0) -> None:
        self.index = max(len(str(max(frame_count - 1, 0))), 1)
        self.latency = LATENCY
        self.tokens = TOKENS_WIDE if width >= NARROW else TOKENS_NARROW
        self.word = 6 if width >= NARROW else 0
        self.time = 13 if width >= 64 else 0
        self.cost = 10 if width >= 76 else 0
        if width < NARROW and name_want:
            self._make_room_for_names(width, min(name_want, NAME_WANT_CAP))
        self.node = max(width - self._fixed(), 4)

    def _fixed(self) -> int:
        # flag, index and a space, the type glyph and a space, then the optional columns
        return 1 + self.index + 1 + 2 + self.word + self.time + self.latency + self.tokens + self.cost

    def _make_room_for_names(self, width: int, name_want: int) -> None:
        """Drop latency, then tokens, while the names (and the space after them) do not fit."""
        for drop in ("latency", "tokens"):
            if width - self._fixed() >= name_want + 1:
                return
            setattr(self, drop, 0)
