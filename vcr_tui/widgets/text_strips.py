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


def text_strips(lines: Sequence[Text], console: Console, base: Style) -> list[Strip]:
    """One strip per line, on ``base``, each as long as its text (the widget pads the rest)."""
    strips: list[Strip] = []
    for y, text in enumerate(lines):
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
    """The strips of the last lines drawn, rebuilt only when the lines (the same object), or the style, change."""

    def __init__(self) -> None:
        self._source: object = None
        self._base: Style | None = None
        self._strips: list[Strip] = []

    def strips(self, source: object, lines: Sequence[Text], console: Console, base: Style) -> list[Strip]:
        """The strips of ``lines``, built from ``source`` (compared by identity) on ``base``."""
        if source is not self._source or base != self._base:
            self._strips = text_strips(lines, console, base)
            self._source, self._base = source, base
        return self._strips
