"""The demo's first steps, in a panel of their own above the panes until the user hides it.

A toast would cover the status line (model, tokens, cost) and the diff for as long as it lasts;
the steps are needed for longer than a toast lives. The panel takes its own rows instead, and
``ctrl+w`` or a click hides it.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import Static

from vcr_tui.logic.safe_text import clean


class WalkthroughPanel(Static):
    """A few lines of "try this", titled, with how to hide it."""

    DEFAULT_CSS = """
    WalkthroughPanel {
        dock: top;
        height: auto;
        padding: 0 1;
        border: round $accent;
        border-title-color: $accent;
        border-subtitle-color: $text-muted;
        background: $boost;
        color: $text;
    }
    """

    def __init__(self, steps: str, *, title: str = "Try it") -> None:
        text = Text()
        for number, line in enumerate(steps.splitlines()):
            keys, _, what = line.partition("  ")
            if number:
                text.append("\n")
            text.append(clean(keys).ljust(5), style="bold")
            text.append(clean(what.strip()))
        super().__init__(text, id="walkthrough")
        self.border_title = title
        self.border_subtitle = "ctrl+w hides this"

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.remove()
