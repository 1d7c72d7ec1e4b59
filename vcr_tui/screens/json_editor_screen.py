"""The built-in JSON editor, for where the terminal cannot be handed to ``$EDITOR``.

Used in a browser, under test, or when no editor is installed. It edits the same text the
external editor would, refuses to save text that is not a JSON object (saying where, and putting
the cursor there), and never throws typing away on one key: Escape with changes asks first.
"""

from __future__ import annotations

import importlib.metadata
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from vcr_tui.logic.editing import ParseError, parse_state_text
from vcr_tui.logic.safe_text import clean, shorten
from vcr_tui.theme import ERROR_STYLE, LABEL_STYLE, NOTE_STYLE, as_spans, bold

HINT = "ctrl+s save · esc cancel · ctrl+z undo"
SAFE_TREE_SITTER = (0, 25)  # the tree-sitter release Textual 8.2's TextArea works with


def json_highlighting_works(area: TextArea) -> bool:
    """Whether JSON can be highlighted without risk.

    Highlighting needs the optional ``tree-sitter`` and ``tree-sitter-json`` packages, and
    tree-sitter 0.26 crashes the whole process (a segmentation fault) on the first edit inside
    Textual 8.2's TextArea. So it is used with tree-sitter 0.25 only; otherwise the editor
    works the same, in plain text.
    """
    try:
        version = importlib.metadata.version("tree-sitter")
    except importlib.metadata.PackageNotFoundError:
        return False
    parts = tuple(int(part) for part in version.split(".")[:2] if part.isdigit())
    return parts == SAFE_TREE_SITTER and "json" in area.available_languages


class JsonEditorScreen(ModalScreen[str | None]):
    """Edit JSON text; dismissed with the saved text, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "save", priority=True, id="editor.save"),
        Binding("escape", "cancel", "cancel", priority=True, id="editor.cancel"),
    ]

    DEFAULT_CSS = """
    JsonEditorScreen {
        align: center middle;
        & > #editor-box {
            width: 92%;
            height: 90%;
            background: $surface;
            border: round $accent;
            border-title-color: $accent;
            border-title-style: bold;
            border-subtitle-color: $text-muted;
        }
        & TextArea { height: 1fr; border: none; &:focus { border: none; } }
        & #editor-message { height: auto; max-height: 3; padding: 0 1; }
    }
    """

    def __init__(self, text: str, title: str, *, error: ParseError | None = None, note: str = "") -> None:
        super().__init__()
        self.initial_text = text
        self.title_text = title
        self.first_error = error
        self.note = note  # why this editor and not the user's (shown until the first save)
        self.error: ParseError | None = None
        self._confirm_discard = False

    def compose(self) -> ComposeResult:
        with Vertical(id="editor-box") as box:
            box.border_title = self.title_text
            box.border_subtitle = HINT
            area = TextArea.code_editor(self.initial_text, soft_wrap=False, show_line_numbers=True)
            if json_highlighting_works(area):
                area.language = "json"
            yield area
            yield Static(id="editor-message")

    @property
    def text_area(self) -> TextArea:
        return self.query_one(TextArea)

    def on_mount(self) -> None:
        self.text_area.focus()
        if self.first_error is not None:
            self._show_error(self.first_error)
        else:
            message = Text(clean(self.note) + "\n" if self.note else "", style=NOTE_STYLE)
            message.append("Edit the state, then ctrl+s. The recording itself is never changed.", style=LABEL_STYLE)
            self._say(message)

    def on_text_area_changed(self) -> None:
        if self._confirm_discard:
            self._confirm_discard = False
            self._say(Text(""))
        if self.error is not None and not isinstance(parse_state_text(self.text_area.text), ParseError):
            # A message about a mistake that is already mended would send the user looking for it.
            self.error = None
            self._say(Text("Valid JSON: ctrl+s saves it.", style=LABEL_STYLE))

    def action_save(self) -> None:
        parsed = parse_state_text(self.text_area.text)
        if isinstance(parsed, ParseError):
            self._show_error(parsed)
            return
        self.dismiss(self.text_area.text)

    def action_cancel(self) -> None:
        if self.text_area.text == self.initial_text or self._confirm_discard:
            self.dismiss(None)
            return
        self._confirm_discard = True
        self._say(Text("You have changes: esc again throws them away, ctrl+s saves them.", style=bold(NOTE_STYLE)))

    def _show_error(self, error: ParseError) -> None:
        self.error = error
        message = Text("Not valid: ", style=ERROR_STYLE)
        message.append(clean(error.describe()))
        if error.line_text:
            message.append("\n  " + shorten(clean(error.line_text), 100), style=LABEL_STYLE)
        self._say(message)
        area = self.text_area
        row = max(error.line - 1, 0)
        if row < area.document.line_count:
            column = min(max(error.column - 1, 0), len(area.document.get_line(row)))
            area.move_cursor((row, column), center=True)

    def _say(self, text: Text) -> None:
        self.query_one("#editor-message", Static).update(as_spans(text))
