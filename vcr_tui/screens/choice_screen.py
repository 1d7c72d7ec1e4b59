"""A small dialog: a title, a few lines of explanation, and two or three choices, each on a key.

Every question the edit/fork/resume loop asks goes through it (edit again?, run this agent?,
open the fork?), so they all look and answer alike: the key is shown before each choice, a click
works too, and Escape always means the harmless answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

T = TypeVar("T")

KEY_NAMES = {"escape": "esc", "enter": "enter"}


@dataclass(frozen=True)
class Choice(Generic[T]):
    """One answer: the keys that pick it (the first is shown) and what it does, in a few words."""

    keys: tuple[str, ...]
    label: str
    value: T


class ChoiceLine(Static):
    """One answer as a line ``key  label``; clicking it picks it."""

    def __init__(self, choice: Choice[T], key_width: int) -> None:
        key = KEY_NAMES.get(choice.keys[0], choice.keys[0])
        text = Text(f" {key:>{key_width}} ", style="bold reverse")
        text.append("  " + choice.label)
        super().__init__(text)
        self.choice = choice

    def on_click(self, event: events.Click) -> None:
        event.stop()
        screen = self.screen
        if isinstance(screen, ChoiceScreen):
            screen.dismiss(self.choice.value)


class ChoiceScreen(ModalScreen[T], Generic[T]):
    """Ask one question; dismissed with the chosen value (``cancel`` for Escape)."""

    TONES: ClassVar[dict[str, str]] = {"info": "$accent", "warning": "$warning", "error": "$error"}

    DEFAULT_CSS = """
    ChoiceScreen {
        align: center middle;
        & > #dialog {
            width: 76;
            max-width: 100%;
            height: auto;
            max-height: 90%;
            padding: 1 2;
            background: $surface;
            border: round $accent;
            border-title-style: bold;
            border-title-color: $accent;
        }
        & > #dialog.-warning { border: round $warning; border-title-color: $warning; }
        & > #dialog.-error { border: round $error; border-title-color: $error; }
        & #body { width: 1fr; margin-bottom: 1; }
        & ChoiceLine { width: auto; height: 1; }
        & ChoiceLine:hover { background: $boost; }
    }
    """

    def __init__(
        self,
        title: str,
        body: Text | Sequence[Text],
        choices: Sequence[Choice[T]],
        *,
        cancel: T,
        tone: str = "info",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.body = body if isinstance(body, Text) else Text("\n").join(body)
        self.choices = list(choices)
        self.cancel_value = cancel
        self.tone = tone

    def compose(self) -> ComposeResult:
        width = max(len(KEY_NAMES.get(choice.keys[0], choice.keys[0])) for choice in self.choices)
        with Vertical(id="dialog", classes=f"-{self.tone}") as dialog:
            dialog.border_title = self.title_text
            yield Static(self.body, id="body")
            for choice in self.choices:
                yield ChoiceLine(choice, width)

    def on_key(self, event: events.Key) -> None:
        for choice in self.choices:
            if event.key in choice.keys or (event.character is not None and event.character in choice.keys):
                event.stop()
                event.prevent_default()
                self.dismiss(choice.value)
                return
        if event.key == "escape":
            event.stop()
            event.prevent_default()
            self.dismiss(self.cancel_value)

    @property
    def shown_text(self) -> str:
        """The dialog as plain text (for tests and for reading it aloud)."""
        lines = [self.title_text, self.body.plain]
        lines.extend(f"{choice.keys[0]}  {choice.label}" for choice in self.choices)
        return "\n".join(lines)
