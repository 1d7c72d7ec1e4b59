"""Help: every key of the screen it was opened from, read from the live bindings and keymap.

Grouped by the pane the keys act in, then the keys every screen has (focus, palette, quit); the
box at the top filters the list by key, words or binding id as you type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from vcr_tui.host import keymap_problems_of, options_of
from vcr_tui.key_help import KeyHelp, everywhere_keys, key_help
from vcr_tui.logic.safe_text import clean
from vcr_tui.theme import CAUTION_STYLE, LABEL_STYLE, NAME_STYLE, WARNING_STYLE, as_spans


def help_table(title: str, entries: list[KeyHelp], style: Callable[[str], Style]) -> Table:
    """One section of the help: keys on the left, what they do on the right.

    ``style`` resolves a role (the app's ``console.get_style``): a table keeps its column styles.
    """
    table = Table.grid(padding=(0, 2), expand=True)
    table.add_column(min_width=18, style=style(NAME_STYLE), no_wrap=True)
    table.add_column(ratio=3)
    table.add_column(ratio=2, style=style(LABEL_STYLE), no_wrap=True, overflow="ellipsis")
    table.add_row(Text(title, style="bold underline"), "", Text("binding id", style="italic"))
    for entry in entries:
        table.add_row(Text("  " + " ".join(entry.keys)), Text(entry.description), Text(entry.binding_id))
    table.add_row("", "", "")
    return table


class HelpScreen(ModalScreen[None]):
    """A scrollable list of the keys, grouped by the pane they act in."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "close help", id="help.close"),
        Binding("j,down", "scroll('down')", "scroll down", show=False, id="help.down"),
        Binding("k,up", "scroll('up')", "scroll up", show=False, id="help.up"),
    ]

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        & > VerticalScroll {
            width: 90;
            max-width: 100%;
            height: auto;
            max-height: 90%;
            border: round $accent;
            border-title-color: $accent;
            border-subtitle-color: $text-muted;
            background: $surface;
            padding: 0 1;
        }
    }
    """

    def __init__(self, sections: list[tuple[str, DOMNode]]) -> None:
        super().__init__()
        self.sections = sections
        self.shown: list[tuple[str, list[KeyHelp]]] = []

    def compose(self) -> ComposeResult:
        keymap = options_of(self).keymap
        for title, node in self.sections:
            entries = key_help(node, self.app.get_key_display, keymap)
            if entries:
                self.shown.append((title, entries))
        self.shown.append(("Every screen", everywhere_keys(self.app, self.app.get_key_display)))
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys"
            scroll.border_subtitle = "esc closes · remap keys by binding id in ~/.config/vcr-tui/keymap.toml"
            yield Input(placeholder="filter: a key, a word or a binding id", id="help-filter")
            problems = keymap_problems_of(self)
            if problems:
                notes = Text("Your keymap, as read at start:\n", style=WARNING_STYLE)
                notes.append("\n".join(f"  {clean(problem)}" for problem in problems), style=CAUTION_STYLE)
                yield Static(as_spans(notes), id="help-keymap")
            yield Static(self._tables(""), id="help-keys")

    def _tables(self, query: str) -> Table:
        """Every section, with only the entries that match ``query`` (all when it is empty)."""
        grid = Table.grid(expand=True)
        grid.add_column()
        needle = query.strip().lower()
        for title, entries in self.shown:
            kept = [entry for entry in entries if not needle or needle in _haystack(entry)]
            if kept:
                grid.add_row(help_table(title, kept, self.app.console.get_style))
        if not grid.row_count:
            grid.add_row(Text(f"No key matches {query.strip()!r}.", style="italic"))
        return grid

    def on_mount(self) -> None:
        self.query_one("#help-filter", Input).focus()  # type to filter at once; esc closes

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.recolour()

    def recolour(self) -> None:
        """Build the tables again: they hold colours resolved for the theme they were made in
        (called as the filter changes, and by a theme switch)."""
        self.query_one("#help-keys", Static).update(self._tables(self.query_one("#help-filter", Input).value))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)

    def action_scroll(self, direction: str) -> None:
        scroll = self.query_one(VerticalScroll)
        if direction == "down":
            scroll.scroll_down(animate=False)
        else:
            scroll.scroll_up(animate=False)


def _haystack(entry: KeyHelp) -> str:
    return " ".join((*entry.keys, entry.description, entry.binding_id)).lower()
