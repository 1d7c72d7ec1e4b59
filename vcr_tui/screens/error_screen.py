"""A screen for a recording that cannot be shown at all: says why, and quits with status 2."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Static

from vcr_tui.host import report_failure
from vcr_tui.logic.safe_text import clean
from vcr_tui.theme import ERROR_STYLE, LABEL_STYLE, as_spans

EXIT_BAD_INPUT = 2


class ErrorScreen(Screen[None]):
    """Full-screen message; q, Escape or Enter quit the app with a non-zero status."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape,enter", "quit_with_error", "quit", id="error.quit"),
    ]

    DEFAULT_CSS = """
    ErrorScreen Static {
        width: auto;
        max-width: 90%;
        border: round $error;
        padding: 1 2;
    }
    """

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        text = Text("Cannot open this recording\n\n", style=ERROR_STYLE)
        text.append(clean(self.message))
        text.append("\n\npress q to quit", style=LABEL_STYLE)
        with Middle(), Center():
            yield Static(as_spans(text))

    def on_mount(self) -> None:
        report_failure(self, self.message)

    def action_quit_with_error(self) -> None:
        self.app.exit(return_code=EXIT_BAD_INPUT)
