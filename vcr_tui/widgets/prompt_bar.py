"""The one-line prompt at the bottom for ``:`` (go to frame) and ``/`` (search), as in less and vim."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Input, Label

from vcr_tui.messages import PromptSubmitted


class PromptBar(Horizontal):
    """Hidden until ``open`` is called; Enter submits, Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel", show=False, id="prompt.cancel")]

    DEFAULT_CSS = """
    PromptBar {
        height: 1;
        display: none;
        background: $panel;
        &.-open { display: block; }
        & > Label { width: auto; padding: 0 0 0 1; color: $accent; text-style: bold; }
        & > Input, & > Input:focus { border: none; height: 1; padding: 0 1; background: $panel; width: 1fr; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kind = ""

    def compose(self) -> ComposeResult:
        yield Label(":")
        yield Input(id="prompt-input")

    def open(self, kind: str, prefix: str, value: str = "", placeholder: str = "") -> None:
        """Show the prompt for ``kind`` ("goto" or "search") with ``prefix`` before the cursor."""
        self.kind = kind
        self.query_one(Label).update(prefix)
        field = self.query_one(Input)
        field.value = value
        field.placeholder = placeholder
        self.add_class("-open")
        field.focus()

    def close(self) -> None:
        self.remove_class("-open")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        kind = self.kind
        self.close()
        self.post_message(PromptSubmitted(kind, event.value))

    def action_cancel(self) -> None:
        kind = self.kind
        self.close()
        self.post_message(PromptSubmitted(kind, ""))
