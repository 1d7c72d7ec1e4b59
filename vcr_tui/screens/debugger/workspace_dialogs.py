"""The workspace dialogs: confirm a folder named by a recording, confirm a dry run, show an outcome.

Each is a modal with the same shape: what will happen, a scrollable list of the files it touches
(shrunk to fit the terminal, so the buttons are always on screen), what to know before saying yes,
and two buttons. ``y`` confirms, ``n`` or Escape cancels; nothing is changed until ``y``.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from vcr_tui.logic.safe_text import clean
from vcr_tui.logic.workspace_link import CommitProposal, ProposalKind, RollbackProposal
from vcr_tui.logic.workspace_text import (
    commit_intro,
    commit_listing,
    commit_notes,
    plan_listing,
    rollback_intro,
    rollback_notes,
    rollback_title,
)
from vcr_tui.theme import LABEL_STYLE

_OUTER_MARGIN = 2  # rows kept free around a dialog
_SMALLEST_LIST = 3


class WorkspaceDialog(ModalScreen[bool]):
    """A titled dialog answering True (confirmed) or False; subclasses fill the three parts."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "confirm", show=False, id="dialog.confirm"),
        Binding("n,escape", "answer(False)", "cancel", show=False, id="dialog.cancel"),
        Binding("j,down", "scroll_list(1)", "scroll down", show=False, id="dialog.down"),
        Binding("k,up", "scroll_list(-1)", "scroll up", show=False, id="dialog.up"),
        Binding("pagedown,space", "scroll_list(10)", "page down", show=False, id="dialog.page-down"),
        Binding("pageup", "scroll_list(-10)", "page up", show=False, id="dialog.page-up"),
    ]

    DEFAULT_CSS = """
    WorkspaceDialog {
        align: center middle;
        & > #dialog {
            width: 100;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            border: round $accent;
            border-title-color: $accent;
            border-title-style: bold;
            border-subtitle-color: $text-muted;
            background: $surface;
            padding: 0 1;
        }
        &.-danger > #dialog { border: round $warning; border-title-color: $warning; }
        &.-error > #dialog { border: round $error; border-title-color: $error; }
        #intro, #notes { height: auto; }
        #listing {
            height: auto;
            margin: 1 0;
            padding: 0 1;
            background: $boost;
            scrollbar-size-vertical: 1;
        }
        #notes { margin-bottom: 1; }
        #notes.-after-intro { margin: 1 0; }
        #buttons { height: auto; align-horizontal: right; margin-top: 1; }
        #buttons > Button { margin-left: 2; }
    }
    """

    title_text = ""
    confirm_label = "Confirm"
    cancel_label = "Cancel"
    variant = ""  # "", "danger" or "error": the border's colour
    dialog_width = 100  # columns, when the terminal has them

    def intro(self) -> Text:
        return Text()

    def listing(self) -> Text | None:
        """The scrollable part, or None for a dialog without a list."""
        return None

    def notes(self) -> Text:
        return Text()

    @property
    def can_confirm(self) -> bool:
        return True

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = self.title_text
            keys = "y confirm · n cancel" if self.can_confirm else "esc close"
            listing = self.listing()
            dialog.border_subtitle = keys + (" · j/k scroll" if listing is not None else "")
            yield Static(self.intro(), id="intro")
            if listing is not None:
                with VerticalScroll(id="listing", can_focus=False):
                    yield Static(listing, id="listing-text")
            notes = self.notes()
            if notes:
                yield Static(notes, id="notes", classes="" if listing is not None else "-after-intro")
            with Horizontal(id="buttons"):
                if self.can_confirm:
                    yield Button(self.confirm_label, id="confirm", variant="primary", compact=True)
                yield Button(self.cancel_label if self.can_confirm else "Close", id="cancel", compact=True)

    def on_mount(self) -> None:
        if self.variant:
            self.add_class(f"-{self.variant}")
        self.query_one("#dialog").styles.width = self.dialog_width
        self.query_one("#cancel", Button).focus()  # the safe answer: Enter never changes files
        self.call_after_refresh(self._fit_listing)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_listing)

    def _fit_listing(self) -> None:
        """Give the list what the terminal has left, so the notes and buttons stay on screen."""
        listings = self.query("#listing")
        if not listings:
            return
        listing = listings.first()
        dialog = self.query_one("#dialog")
        others = sum(
            child.outer_size.height + child.styles.margin.height for child in dialog.children if child is not listing
        )
        chrome = dialog.styles.gutter.height + listing.styles.margin.height
        room = self.size.height - _OUTER_MARGIN - chrome - others
        wanted = max(room, _SMALLEST_LIST)
        if listing.styles.max_height is None or listing.styles.max_height.value != wanted:
            listing.styles.max_height = wanted

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_answer(event.button.id == "confirm")

    def action_answer(self, confirmed: bool) -> None:
        if confirmed and not self.can_confirm:
            return
        self.dismiss(confirmed)

    def action_scroll_list(self, rows: int) -> None:
        listings = self.query("#listing")
        if listings:
            listings.first().scroll_relative(y=rows, animate=False, immediate=True)


class ConfirmWorkspaceDialog(WorkspaceDialog):
    """Asks before a folder named in a recording (untrusted) is used as the workspace."""

    title_text = "Use the workspace named by this recording?"
    confirm_label = "Use this folder"
    variant = "danger"
    dialog_width = 80

    def __init__(self, path: str, session_id: str | None) -> None:
        super().__init__()
        self.path = path
        self.session_id = session_id

    def intro(self) -> Text:
        text = Text("The recording says its run changed the files in:\n\n")
        text.append(f"  {clean(self.path)}\n", style="bold")
        if self.session_id:
            text.append("  session ", style=LABEL_STYLE)
            text.append(clean(self.session_id))
            text.append("\n")
        text.append("\nA recording can name any folder, so vcr-tui asks before it looks at one. ")
        text.append("Use this folder to roll files back and to commit them?")
        return text

    def notes(self) -> Text:
        return Text(
            "Nothing changes yet: every rollback and commit shows its dry run first.\n"
            "To name the folder yourself, start vcr-tui with --workspace PATH.",
            style=LABEL_STYLE,
        )


class RollbackDialog(WorkspaceDialog):
    """The dry run of a rollback (or of its undo): the files it restores, creates and deletes."""

    def __init__(self, proposal: RollbackProposal, undo_key: str = "ctrl+z") -> None:
        super().__init__()
        self.proposal = proposal
        self.undo_key = undo_key
        self.title_text = rollback_title(proposal)
        self.confirm_label = "Undo the rollback" if proposal.kind is ProposalKind.UNDO else "Roll back"
        self.variant = "error" if proposal.plan.conflicts else "danger"

    @property
    def can_confirm(self) -> bool:
        plan = self.proposal.plan
        return plan.can_apply and not plan.is_empty

    def intro(self) -> Text:
        return rollback_intro(self.proposal)

    def listing(self) -> Text:
        return plan_listing(self.proposal.plan, undo=self.proposal.kind is ProposalKind.UNDO)

    def notes(self) -> Text:
        return rollback_notes(self.proposal, self.undo_key)


class CommitDialog(WorkspaceDialog):
    """The preview of a commit: branch, files, message, and what stays staged."""

    title_text = "Commit the workspace"
    variant = "danger"

    def __init__(self, proposal: CommitProposal) -> None:
        super().__init__()
        self.proposal = proposal
        self.confirm_label = "End the session" if proposal.preview.is_empty else "Commit"

    def intro(self) -> Text:
        return commit_intro(self.proposal)

    def listing(self) -> Text:
        return commit_listing(self.proposal.preview)

    def notes(self) -> Text:
        return commit_notes(self.proposal)


def sentence(text: str) -> str:
    """The engine's messages start in lower case (they read well after "error: "); alone, they start a sentence."""
    return text[:1].upper() + text[1:]


class MessageDialog(WorkspaceDialog):
    """An outcome or a refusal, in words, with one button."""

    dialog_width = 80

    def __init__(self, title: str, message: Text | str, *, error: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.message = message if isinstance(message, Text) else Text(sentence(clean(message, multiline=True)))
        self.variant = "error" if error else ""

    @property
    def can_confirm(self) -> bool:
        return False

    def intro(self) -> Text:
        return self.message
