"""Editing a frame's state on the file screen (a mixin): ``e`` for the input, ``E`` for the output.

The state is handed to ``$VISUAL`` / ``$EDITOR`` as pretty JSON (the terminal handed over with
``App.suspend()``), or to the built-in editor where the terminal cannot be handed over (a
browser, a headless test) or no editor exists. Text that is not a JSON object is never lost: the
user is asked to edit it again, in the same file. An accepted edit lives in the screen's
``edited_states`` (the row gets ✎ and the diff pane an "edited vs recorded" mode); the recording
itself is never touched. A fork or a resume at that frame starts from the edit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import SuspendNotSupported

from vcr_tui.logic.frame_view import Side
from vcr_tui.logic.safe_text import clean, shorten
from vcr_tui.screens.debugger.screen_parts import PartBase
from vcr_tui.theme import ERROR_STYLE, LABEL_STYLE

if TYPE_CHECKING:  # the editing code and its dialogs load with the first edit, not with the screen
    from vcr_tui.logic.editing import EditorCommand, EditResult, ParseError, StateDraft

# Tests set this: a scripted editor needs no terminal, so it can run in a headless app as it is.
RUN_EDITOR_WITHOUT_SUSPEND = False


class StateEditing(PartBase):
    """``e`` and ``E`` for ``FileScreen``: it uses the screen's store, panes and ``edited_states``."""

    # -- e / E: edit a state -----------------------------------------------------------------

    def action_edit(self, side: str = "input") -> None:
        if self.view.editing.draft is not None:
            self.say("An edit is already open.", severity="warning")
            return
        frame = self.current
        if frame is None or self.store is None:
            self.say("Wait for the frame to load, then edit it.", severity="warning")
            return
        from vcr_tui.logic.editing import StateDraft

        recorded = frame.input_state if side == "input" else frame.output_state
        try:
            draft = StateDraft.create(frame.index, side, self.state_for(frame, side), recorded)
        except (OSError, TypeError, ValueError) as exc:
            self.say(f"Cannot write the state to a temporary file: {exc}", severity="error")
            return
        self.view.editing.draft = draft
        self.app.clear_notifications()  # the state is what matters now; tips would cover the diff
        command, problem = self._external_editor()
        if command is None:
            self._edit_in_app(draft, note=f"{problem}: editing here instead." if problem else "")
        else:
            self._edit_externally(draft, command)

    def _external_editor(self) -> tuple[EditorCommand | None, str | None]:
        """The editor to hand the terminal to, or None and (when worth saying) why not."""
        if self.app.is_headless and not RUN_EDITOR_WITHOUT_SUSPEND:
            return None, None
        if self.app.is_web:
            return None, "$EDITOR cannot open in a browser"
        from vcr_tui.logic.editing import EditorError, find_editor

        try:
            command = find_editor()
        except EditorError as exc:
            return None, str(exc)
        if command is None:
            return None, "No editor found ($VISUAL, $EDITOR, nano or vi)"
        return command, None

    def _edit_externally(self, draft: StateDraft, command: EditorCommand) -> None:
        from vcr_tui.logic.editing import EditorError, Outcome, run_editor

        draft.restore_if_missing()
        try:
            if self.app.is_headless:
                status = run_editor(command, draft.path)
            else:
                with self.app.suspend():
                    status = run_editor(command, draft.path)
        except SuspendNotSupported:
            self._edit_in_app(draft)
            return
        except EditorError as exc:
            self._edit_in_app(draft, note=f"{exc}: editing here instead.")
            return
        result = draft.read()
        if status != 0 and result.outcome not in (Outcome.UNCHANGED, Outcome.EMPTIED):
            self._ask_after_editor_failed(draft, command, status, result)
            return
        if status != 0:
            self._finish_draft(draft)
            self.say(f"{command.label} ended with status {status}; nothing changed.")
            return
        self._settle(draft, result, command)

    def _edit_in_app(self, draft: StateDraft, error: ParseError | None = None, note: str = "") -> None:
        from vcr_tui.logic.editing import judge

        def saved(text: str | None) -> None:
            if text is None:
                self._finish_draft(draft)
                self.say(f"Edit cancelled: the {draft.side} of #{draft.index} is as it was.")
                return
            try:
                draft.path.write_text(text, encoding="utf-8")
            except OSError:
                pass  # the text is judged from memory; the file only matters to an external editor
            self._settle(draft, judge(text, draft.shown, draft.recorded), None)

        from vcr_tui.screens.json_editor_screen import JsonEditorScreen  # its text area loads when first used

        title = f"Edit the {draft.side} of #{draft.index} {shorten(clean(self._node_name(draft.index)), 40)}"
        self.app.push_screen(JsonEditorScreen(draft.text(), title, error=error, note=note), saved)

    def _settle(self, draft: StateDraft, result: EditResult, command: EditorCommand | None) -> None:
        """Act on what came back: ask again when invalid, else apply (or not) and say what happened."""
        from vcr_tui.logic.editing import Outcome

        if result.outcome is Outcome.INVALID:
            assert result.error is not None
            if command is None:
                self._edit_in_app(draft, result.error)
            else:
                self._ask_to_fix(draft, command, result.error)
            return
        self._finish_draft(draft)
        what = f"the {draft.side} of #{draft.index}"
        if draft is self.view.editing.stale_draft:
            self.view.editing.stale_draft = None
            self.say(f"The file was replaced while you edited {what}: the edit was not applied.", severity="warning")
            return
        if result.outcome is Outcome.UNCHANGED:
            self.say(f"No change to {what}.")
        elif result.outcome is Outcome.EMPTIED:
            self.say(f"The file was emptied, so {what} is left as it was.")
        elif result.outcome is Outcome.RESTORED:
            self.apply_edit(draft.index, draft.side, None)
            self.say(f"{what.capitalize()} is the recorded one again: its edit is removed.")
        else:
            assert result.state is not None
            self.apply_edit(draft.index, draft.side, result.state)
            self.say(f"Edited {what} (in memory; the recording is unchanged). r resumes with it.", timeout=5)

    def _ask_to_fix(self, draft: StateDraft, command: EditorCommand, error: ParseError) -> None:
        from vcr_tui.screens.choice_screen import Choice, ChoiceScreen

        body = Text(f"The {draft.side} of #{draft.index} you saved is not a JSON object:\n\n")
        body.append(f"  {clean(error.describe())}\n", style="bold")
        if error.line_text:
            shown = shorten(clean(error.line_text), 70)
            gutter = f"  {error.line} │ "
            body.append(gutter, style=LABEL_STYLE)
            body.append(shown + "\n")
            if error.column - 1 <= len(shown):
                body.append(" " * (len(gutter) + error.column - 1) + "^\n", style=ERROR_STYLE)
        body.append("\nNothing you typed is lost: editing again reopens the same file.", style=LABEL_STYLE)
        choices = [
            Choice(("e", "enter"), f"edit again in {shorten(command.label, 30)}", "again"),
            Choice(("b",), "fix it in the built-in editor", "built-in"),
            Choice(("escape", "d"), "discard this edit", "discard"),
        ]

        def answer(choice: str | None) -> None:
            if choice == "again":
                self.app.call_later(self._edit_externally, draft, command)
            elif choice == "built-in":
                self._edit_in_app(draft, error)
            else:
                self._finish_draft(draft)
                self.say(f"Edit discarded: the {draft.side} of #{draft.index} is as it was.")

        self.app.push_screen(ChoiceScreen("Not valid JSON", body, choices, cancel="discard", tone="error"), answer)

    def _ask_after_editor_failed(
        self, draft: StateDraft, command: EditorCommand, status: int, result: EditResult
    ) -> None:
        from vcr_tui.logic.editing import Outcome
        from vcr_tui.screens.choice_screen import Choice, ChoiceScreen

        body = Text(f"{shorten(command.label, 40)} ended with status {status}, ")
        body.append("which usually means \u201cabandon this edit\u201d (vim's :cq does that).\n")
        body.append("What it saved is kept until you choose.", style=LABEL_STYLE)
        choices: list[Choice[str]] = []
        if result.outcome is not Outcome.INVALID:
            choices.append(Choice(("a",), "apply what it saved anyway", "apply"))
        choices.append(Choice(("e",), "edit again", "again"))
        choices.append(Choice(("escape", "d"), "discard this edit", "discard"))

        def answer(choice: str | None) -> None:
            if choice == "apply":
                self._settle(draft, result, command)
            elif choice == "again":
                self.app.call_later(self._edit_externally, draft, command)
            else:
                self._finish_draft(draft)
                self.say(f"Edit discarded: the {draft.side} of #{draft.index} is as it was.")

        self.app.push_screen(
            ChoiceScreen("The editor gave up", body, choices, cancel="discard", tone="warning"), answer
        )

    def _finish_draft(self, draft: StateDraft) -> None:
        draft.discard()
        if self.view.editing.draft is draft:
            self.view.editing.draft = None

    def apply_edit(self, index: int, side: Side, state: dict[str, Any] | None) -> None:
        """Keep (or with None, drop) an edited state, mark the row, and show it against the recording."""
        self.view.apply_edit(index, side, state)
        self.frame_list.mark_edited(index, self.view.edits.is_edited(index))
        if self.current is not None and self.current.index == index:
            self.display_frame(self.current)
        else:
            self.request_diff()

    def is_edited(self, index: int) -> bool:
        return self.view.edits.is_edited(index)

    def action_discard_edits(self) -> None:
        index = self.frame_list.cursor
        if not self.is_edited(index):
            self.say(f"#{index} has no edits.")
            return
        self.view.edits.drop_frame(index)
        self.apply_edit(index, self.side, None)
        self.say(f"The edits of #{index} are gone: it shows the recorded states again.")

    def forget_all_edits(self) -> int:
        """Drop every edit and its ✎ mark (the file was replaced: frame numbers mean other frames now).

        Returns how many frames had edits, for the message that says they are gone.
        """
        self.view.editing.stale_draft = self.view.editing.draft
        edited = self.view.forget_all_edits()
        for index in edited:
            self.frame_list.mark_edited(index, False)
        return len(edited)

    def on_unmount(self) -> None:
        if self.view.editing.draft is not None:
            self.view.editing.draft.discard()
            self.view.editing.draft = None

    # -- helpers -----------------------------------------------------------------------------

    def edit_for(self, index: int) -> tuple[dict[str, Any] | None, bool]:
        """The edit a fork or resume at ``index`` starts from: the input's, else the output's, else none."""
        return self.view.edits.start_for(index)

    def _node_name(self, index: int) -> str:
        if self.current is not None and self.current.index == index:
            return self.current.node_name
        try:
            return self.store.row(index).node_name if self.store is not None else ""
        except (IndexError, OSError):
            return ""
