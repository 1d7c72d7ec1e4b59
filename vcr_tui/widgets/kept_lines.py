"""A widget's drawn lines, given again while nothing about them has changed.

Textual's partial screen update draws one box around every region that changed, and asks each
widget inside that box for all of its lines. On a step that box is the whole file screen (the
frame list's rows at the left, the details at the top right, the status line at the bottom), so
the state tree, the diff, the screen and the panes' containers, which a step leaves as they were,
were each asked for every line again: Textual's line cache answered, but looking up and filtering
each line still cost about an eighth of a step's work.

``KeptLines`` keeps the last answer to ``render_lines`` and gives it again for the same crop,
size and line filters until the widget is refreshed. Textual's own line cache is invalidated by
``refresh`` too (every change of content, scroll position, style, theme or border title goes
through it), so the kept lines are exactly what Textual would have drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.containers import Grid, Vertical
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

if TYPE_CHECKING:
    from typing_extensions import Self

    _Mixed = Widget
else:
    # Not a Widget subclass at run time: Textual fixes ``can_focus`` on every Widget subclass it
    # creates, which would hide a focusable base (``Tree``) behind this mixin's ``False``.
    _Mixed = object

DrawLines = Callable[[Region], list[Strip]]


class KeptLines(_Mixed):
    """A mixin (before the widget's Textual base): ``render_lines`` answers from the last call while nothing changed."""

    _kept: tuple[tuple[object, ...], list[Strip]] | None = None

    def kept_lines(self, crop: Region, draw: DrawLines) -> list[Strip]:
        """The lines of ``crop``: those kept from the last call, or ``draw(crop)``'s (then kept)."""
        key = (crop, self.size, *self.get_line_filters())
        kept = self._kept
        if kept is not None and kept[0] == key:
            return kept[1]
        lines = draw(crop)
        self._kept = (key, lines)
        return lines

    def render_lines(self, crop: Region) -> list[Strip]:
        return self.kept_lines(crop, super().render_lines)

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False) -> Self:
        self._kept = None
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def notify_style_update(self) -> None:
        self._kept = None
        super().notify_style_update()


class KeptGrid(KeptLines, Grid):
    """A ``Grid`` that keeps its drawn lines (its border and background) while they are unchanged."""


class KeptVertical(KeptLines, Vertical):
    """A ``Vertical`` that keeps its drawn lines (its border and background) while they are unchanged."""
