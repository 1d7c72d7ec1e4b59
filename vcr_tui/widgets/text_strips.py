"""Lines of rich ``Text`` drawn straight to strips, for widgets repainted on every step.

A widget whose ``render()`` returns ``Text`` is drawn by Textual's visual pipeline: the text is
converted to ``Content``, wrapped, formatted and styled cell by cell, which costs about a
millisecond for the five lines of a frame's details and most of one for the status line, on
every press of ``j``. Lines that are already cut to the widget's width need none of that: each is
rendered by Rich into segments on the widget's own style, as the frame list draws its rows.

Every segment carries the ``offset`` Textual's text selection reads (the character where the
segment starts, and its line), so a drag that starts on these lines still selects from the
right place; while a selection is shown the widget draws through the visual pipeline, which
paints the highlight.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

_OFFSETS: dict[tuple[int, int], Style] = {}


def offset_style(x: int, y: int) -> Style:
    """The style that carries the ``offset`` of a segment: one object per place, so the styles a
    step draws (``Style + offset``) are the same objects as the last step's wherever a segment
    starts at the same place with the same look, and Rich's and Textual's style caches answer."""
    style = _OFFSETS.get((x, y))
    if style is None:
        style = _OFFSETS[(x, y)] = Style.from_meta({"offset": (x, y)})
    return style


def text_strips(lines: Sequence[Text], console: Console, base: Style, *, first_row: int = 0) -> list[Strip]:
    """One strip per line, on ``base``, each as long as its text (the widget pads the rest);
    the first is row ``first_row`` of the widget (the row its offsets name)."""
    strips: list[Strip] = []
    for y, text in enumerate(lines, start=first_row):
        segments: list[Segment] = []
        x = 0
        for segment in text.render(console):
            content = segment.text
            if not content:
                continue
            style = base if segment.style is None else base + segment.style
            segments.append(Segment(content, style + offset_style(x, y)))
            x += len(content)
        strips.append(Strip(segments, text.cell_len))
    return strips


class TextLines:
    """The strips of the last lines drawn, rebuilt only when the lines (the same object), or the style, change.

    A line equal to the one drawn at its row before keeps its strip, and ``changed_rows`` tells
    which rows a new block would change, so a widget can repaint only those.
    """

    def __init__(self) -> None:
        self._source: object = None
        self._base: Style | None = None
        self._lines: list[Text] = []
        self._strips: list[Strip] = []

    def strips(self, source: object, lines: Sequence[Text], console: Console, base: Style) -> list[Strip]:
        """The strips of ``lines``, built from ``source`` (compared by identity) on ``base``."""
        if source is not self._source or base != self._base:
            kept = self._strips if base == self._base else []
            drawn = self._lines
            strips: list[Strip] = []
            for y, text in enumerate(lines):
                if y < len(kept) and same_line(drawn[y], text):
                    strips.append(kept[y])
                else:
                    strips.extend(text_strips([text], console, base, first_row=y))
            self._strips, self._lines = strips, list(lines)
            self._source, self._base = source, base
        return self._strips

    def changed_rows(self, lines: Sequence[Text]) -> list[int] | None:
        """The rows whose line ``lines`` would change (a row that empties too); None before any is drawn."""
        if self._source is None:
            return None
        drawn = self._lines
        rows = range(max(len(drawn), len(lines)))
        return [y for y in rows if y >= len(drawn) or y >= len(lines) or not same_line(drawn[y], lines[y])]


def same_line(one: Text, other: Text) -> bool:
    """Whether two lines draw alike: the same characters, spans and base style."""
    return one.plain == other.plain and one.style == other.style and one.spans == other.spans
