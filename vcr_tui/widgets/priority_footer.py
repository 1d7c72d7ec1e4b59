"""The key footer, showing whole entries only: those that do not fit are left out, last first.

Textual's footer lays out every entry and cuts the row at the terminal's edge, so at 80 columns
it read ``d diff mod▏^p palettec``: half a label and stray letters. Entries are declared most
important first, so this footer keeps entries in that order while they fit beside the palette
entry, and leaves the rest out (``?`` lists every key).

Textual's footer also rebuilds every entry whenever the screen says its bindings may have
changed: a focus change, a mount, each message that refreshes them. Opening a folder said so a
handful of times with the same keys, and each rebuild cost about what drawing the whole session
list did. This footer rebuilds only when what it would show differs from what it shows: the
keys, their words and state, and the width they are fitted to.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer

from vcr_tui.widgets.kept_lines import KeptLines

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


def is_key(widget: Widget) -> bool:
    """Whether ``widget`` is one of the footer's key entries (Textual does not export their class:
    an entry is what carries the key shown and its words)."""
    return all(isinstance(getattr(widget, name, None), str) for name in ("key_display", "description"))


def mark_compact(widget: Widget, compact: bool) -> None:
    """Give a new entry the class its ``compact`` watcher will give it once mounted.

    The watcher runs as each entry mounts; a class it adds then restyles the entry again, a dozen
    restyles each time the footer is laid out. Already in place, the watcher finds nothing to change.
    The palette entry is not bound to the footer's ``compact`` and keeps its own (compact) default.
    """
    if is_key(widget):
        widget.set_class(compact or widget.has_class("-command-palette"), "-compact", update=False)


class PriorityFooter(KeptLines, Footer):
    """A compact footer that drops whole entries, by priority, instead of cutting the row.

    It keeps its drawn lines (``KeptLines``): a step's screen update asks for them and they do
    not change.
    """

    _laid_out: object = None  # what the entries on show were built from (``_layout``); None: nothing built

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        # No entries yet (the screen has not said what its bindings are): the next rebuild must run.
        self._laid_out = self._layout() if widgets else None
        for widget in widgets:
            mark_compact(widget, self.compact)
        width = self.size.width
        if width <= 0:
            yield from widgets
            return
        keys = [w for w in widgets if is_key(w) and not w.has_class("-command-palette")]
        palette = [w for w in widgets if is_key(w) and w.has_class("-command-palette")]
        reserved = sum(entry_width(*_words(w)) + PALETTE_EDGE for w in palette)
        kept = fitting([_words(w) for w in keys], width, reserved)
        dropped = set(map(id, keys[kept:]))
        shown: list[Widget] = [w for w in widgets if id(w) not in dropped]
        yield from shown

    def _layout(self) -> object:
        """Everything the entries are built from: the width, and each binding the screen offers
        with its key as shown, whether it is enabled and its tooltip (the footer's own switches too)."""
        app = self.app
        offered = tuple(
            (key, binding, app.get_key_display(binding), enabled, tooltip)
            for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == app.COMMAND_PALETTE_BINDING
        )
        return (self.size.width, True, self.compact, self.show_command_palette, app.ENABLE_COMMAND_PALETTE, offered)

    async def recompose(self) -> None:
        """Rebuild the entries, unless they would come out as they are (however many times the
        screen asked since the last rebuild, the first one that runs does the work)."""
        if self.is_attached and self._laid_out is not None and self._layout() == self._laid_out:
            return
        await super().recompose()

    def on_resize(self) -> None:
        self.call_after_refresh(self.recompose)  # a new width fits a different number of entries


def _words(key: Widget) -> tuple[str, str]:
    """An entry's key as shown and its description (see ``is_key``)."""
    return getattr(key, "key_display", ""), getattr(key, "description", "")
