"""The key footer, showing whole entries only: those that do not fit are left out, last first.

Textual's footer lays out every entry and cuts the row at the terminal's edge, so at 80 columns
it read ``d diff mod▏^p palettec``: half a label and stray letters. Entries are declared most
important first, so this footer keeps entries in that order while they fit beside the palette
entry, and leaves the rest out (``?`` lists every key).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.events import Resize
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

PALETTE_EDGE = 2  # the palette entry's border and padding


def entry_width(key_display: str, description: str) -> int:
    """Cells a compact entry takes: its key, a space, its words and the gap after it."""
    return len(key_display) + (1 + len(description) if description else 0) + 1


def fitting(entries: list[tuple[str, str]], width: int, reserved: int) -> int:
    """How many of ``entries`` (key shown, description), in order, fit in ``width`` beside ``reserved``."""
    used = reserved
    for count, (key_display, description) in enumerate(entries):
        used += entry_width(key_display, description)
        if used > width:
            return count
    return len(entries)


def mark_compact(widget: Widget, compact: bool) -> None:
    """Give a new entry the class its ``compact`` watcher will give it once mounted.

    The watcher runs as each entry mounts; a class it adds then restyles the entry again, a dozen
    restyles each time the footer is laid out. Already in place, the watcher finds nothing to change.
    The palette entry is not bound to the footer's ``compact`` and keeps its own (compact) default.
    """
    if isinstance(widget, FooterKey):
        widget.set_class(compact or widget.has_class("-command-palette"), "-compact", update=False)


class PriorityFooter(Footer):
    """A compact footer that drops whole entries, by priority, instead of cutting the row."""

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        for widget in widgets:
            mark_compact(widget, self.compact)
        width = self.size.width
        if width <= 0:
            yield from widgets
            return
        keys = [w for w in widgets if isinstance(w, FooterKey) and not w.has_class("-command-palette")]
        palette = [w for w in widgets if isinstance(w, FooterKey) and w.has_class("-command-palette")]
        reserved = sum(entry_width(w.key_display, w.description) + PALETTE_EDGE for w in palette)
        kept = fitting([(w.key_display, w.description) for w in keys], width, reserved)
        dropped = set(map(id, keys[kept:]))
        shown: list[Widget] = [w for w in widgets if id(w) not in dropped]
        yield from shown

    def on_resize(self, event: Resize) -> None:
        if event.size.width != getattr(self, "_laid_out_for", None):
            self._laid_out_for = event.size.width
            self.call_after_refresh(self.recompose)
