"""One value of a state, whole: a long string wrapped, a message as its role and text, JSON pretty.

The tree shows one row per value and cuts what does not fit; this screen is where a value is
read. It is scrollable, titled with the value's JSON path, and ``y`` / ``Y`` copy the value or
its path. What a file holds is shown literally: control characters are made visible, never sent
to the terminal.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from vcr_tui.logic.formatting import is_message, value_as_clipboard_text
from vcr_tui.logic.safe_text import clean, shorten

SHOWN_CHARS = 200_000  # beyond this the viewer shows the start; y still copies all of it


def viewer_text(value: Any) -> Text:
    """The value as the viewer shows it: wrapped text for a string or a message, else pretty JSON."""
    text = Text()
    if is_message(value):
        text.append(clean(str(value["role"])), style="bold")
        text.append("\n")
        content = value["content"]
        body = content if isinstance(content, str) else value_as_clipboard_text(content)
        others = {key: item for key, item in value.items() if key not in ("role", "content")}
        if others:
            body += "\n\n" + value_as_clipboard_text(others)
    elif isinstance(value, str):
        body = value
    else:
        body = value_as_clipboard_text(value)
    shown = body[:SHOWN_CHARS]
    text.append(clean(shown, multiline=True))
    if len(body) > SHOWN_CHARS:
        text.append(f"\n\n… {len(body) - SHOWN_CHARS:,} more characters (y copies all of it)", style="italic")
    return text


class ValueViewerScreen(ModalScreen[None]):
    """A value, scrollable and wrapped; Escape closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter", "dismiss", "close", id="viewer.close"),
        Binding("y", "copy_value", "copy the value", id="viewer.copy"),
        Binding("Y", "copy_path", "copy its JSON path", id="viewer.copy-path"),
        Binding("j,down", "scroll('down')", "scroll down", show=False, id="viewer.down"),
        Binding("k,up", "scroll('up')", "scroll up", show=False, id="viewer.up"),
        Binding("space,pagedown", "scroll('page')", "page down", show=False, id="viewer.page-down"),
        Binding("b,pageup", "scroll('back')", "page up", show=False, id="viewer.page-up"),
    ]

    DEFAULT_CSS = """
    ValueViewerScreen {
        align: center middle;
        & > VerticalScroll {
            width: 100;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            border: round $accent;
            border-title-color: $accent;
            border-subtitle-color: $text-muted;
            background: $surface;
            padding: 0 1;
        }
    }
    """

    def __init__(self, path_text: str, value: Any) -> None:
        super().__init__()
        self.path_text = path_text
        self.value = value

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = shorten(clean(self.path_text), 60)
            scroll.border_subtitle = f"{_size(self.value)} · y copies · Y copies the path · esc closes"
            yield Static(viewer_text(self.value), id="value")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)

    def action_copy_value(self) -> None:
        self._copy(value_as_clipboard_text(self.value), "the value")

    def action_copy_path(self) -> None:
        self._copy(self.path_text, clean(shorten(self.path_text, 60)))

    def _copy(self, text: str, what: str) -> None:
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied {what}", timeout=2, markup=False)

    def action_scroll(self, how: str) -> None:
        scroll = self.query_one(VerticalScroll)
        if how == "down":
            scroll.scroll_down(animate=False)
        elif how == "up":
            scroll.scroll_up(animate=False)
        elif how == "page":
            scroll.scroll_page_down(animate=False)
        else:
            scroll.scroll_page_up(animate=False)


def _size(value: Any) -> str:
    if isinstance(value, str):
        lines = value.count("\n") + 1
        return f"{len(value):,} chars" + (f", {lines:,} lines" if lines > 1 else "")
    if isinstance(value, (dict, list)):
        return f"{len(value):,} {'keys' if isinstance(value, dict) else 'items'}"
    return type(value).__name__
