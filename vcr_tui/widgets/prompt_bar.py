"""The one-line prompt at the bottom for ``:`` (go to frame) and ``/`` (search), as in less and vim.

The bar is hidden until a key opens it, so its label and field are built after the screen's first
paint rather than composed with it: the field's styles and widgets no longer delay the first
screen. A key that opens the bar sooner builds them on the spot.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
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
        self._own_key: events.Key | None = None
        self._built = False

    def compose(self) -> ComposeResult:
        return ()  # the label and the field come after the first paint (see ``build``)

    def on_mount(self) -> None:
        self.call_after_refresh(self.build)

    def build(self) -> None:
        """Mount the label and the field, once: after the first paint, or when the bar opens first."""
        if not self._built:
            self._built = True
            self.mount(Label(":"), Input(id="prompt-input"))

    def open(self, kind: str, prefix: str, value: str = "", placeholder: str = "") -> None:
        """Show the prompt for ``kind`` ("goto" or "search") with ``prefix`` before the cursor."""
        self.build()
        self.kind = kind
        self.query_one(Label).update(prefix)
        field = self.query_one(Input)
        field.value = value
        field.placeholder = placeholder
        self.add_class("-open")
        # Now, not after the next refresh as ``focus()`` does: keys typed in the same burst as
        # ``:`` or ``/`` (a paste) must reach the field, not the pane that had the focus.
        self.screen.set_focus(field)

    def on_key(self, event: events.Key) -> None:
        self._own_key = event  # typed into the field, on its way up: not a stray

    async def take_stray_key(self, event: events.Key) -> bool:
        """Type into the field a key that was sent to the pane focused before the prompt opened.

        A terminal routes each key when it arrives, so in a burst (``:3`` Enter pasted) the keys
        after ``:`` are already on their way up from the frame list when the prompt takes the
        focus. The app passes every key that reached it unhandled here; True when the field took
        it (a character, Backspace, Enter or Escape).
        """
        if event is self._own_key or not self.has_class("-open"):
            return False
        field = self.query_one(Input)
        if self.screen.focused is not field:
            return False
        if event.is_printable and event.character is not None:
            field.insert_text_at_cursor(event.character)
        elif event.key == "backspace":
            field.action_delete_left()
        elif event.key == "enter":
            await field.action_submit()
        elif event.key == "escape":
            self.action_cancel()
        else:
            return False
        return True

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
