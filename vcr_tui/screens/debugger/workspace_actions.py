"""The file screen's keys for the workspace: ``u`` rolls files back, ``C`` commits, ``ctrl+z`` undoes.

Each key goes the same way: find the workspace (``--workspace``, or the folder the recording
names once the user has confirmed it), take a dry run in a worker, show it, and only on ``y``
make the change in a worker, then say what happened. The UI thread never runs git. Errors of the
engine (a merge in progress, a branch that moved, a session in use) come back as its sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType

from vcr_tui.host import options_of
from vcr_tui.keys import key_of
from vcr_tui.logic.safe_text import clean, shorten
from vcr_tui.logic.workspace_facts import RECORDED_PATH_KEY, RECORDED_SESSION_KEY, recorded_text, snapshot_commit
from vcr_tui.messages import WorkspaceFinished, WorkspaceProposed
from vcr_tui.screens.debugger.screen_parts import PartBase
from vcr_tui.theme import LABEL_STYLE, SNAPSHOT_GLYPH

if TYPE_CHECKING:
    from vcr_tui.logic.frame_store import FrameStore
    from vcr_tui.logic.preview_store import PreviewStore
    from vcr_tui.logic.workspace_link import Proposal, WorkspaceTarget

# What acts on the workspace, the dialogs, their texts and the engine's workspace models are
# imported by the keys that need them: the first screen of a recording shows none of them.

WORKSPACE_BINDINGS: list[BindingType] = [
    Binding(
        "u",
        "rollback_files",
        "undo files",
        tooltip="roll the workspace's files back to this frame's snapshot (⛁), after a dry run",
        show=False,
        id="file.rollback",
    ),
    Binding(
        "C",
        "commit_workspace",
        "commit files",
        tooltip="commit the workspace's changes as one commit on your branch, after a preview",
        show=False,
        id="file.commit",
    ),
    Binding(
        "ctrl+z",
        "undo_rollback",
        "undo rollback",
        tooltip="undo the last rollback of the files, after a dry run",
        show=False,
        id="file.undo-rollback",
    ),
]

UNDO_BINDING_ID = "file.undo-rollback"
NOTHING_TO_UNDO = "Nothing to undo: no rollback of the files is left to undo in this session."


def how_to_name_a_workspace(recording: Path) -> Text:
    text = Text("vcr-tui does not know which folder this run changed.\n\n")
    text.append("Start it with the folder the agent worked in:\n\n")
    text.append(f"  vcr-tui {shorten(clean(recording.name), 40)} --workspace PATH\n\n", style="bold")
    text.append(
        "Recordings made with ACIDWorkspace name their folder themselves; vcr-tui then asks before using it.",
        style=LABEL_STYLE,
    )
    return text


def unusable_path(named: str, problem: str) -> Text:
    text = Text("The recording names its workspace as\n\n")
    text.append(f"  {clean(named)}\n\n", style="bold")
    text.append(f"but {problem}, so it is not used. ")
    text.append("Start vcr-tui with --workspace PATH to name the folder yourself.")
    return text


class WorkspaceActions(PartBase):
    """``u``, ``C`` and ``ctrl+z`` for ``FileScreen`` (a mixin: it uses the screen's store and list).

    The screen lists ``WORKSPACE_BINDINGS`` among its own bindings (Textual reads bindings only
    from DOM classes).
    """

    # -- keys --------------------------------------------------------------------------------

    def action_rollback_files(self) -> None:
        store = self._store_for_workspace()
        if store is None:
            return
        index = self.frame_list.cursor
        try:
            row = store.row(index)
        except (IndexError, OSError):
            return
        if not row.has_snapshot:
            self.say(
                f"Frame #{index} has no snapshot of the files: only frames marked {SNAPSHOT_GLYPH} "
                "(savepoints) can be rolled back to." + self._nearest_snapshot_hint(store, index),
                severity="warning",
                timeout=6,
            )
            return

        from vcr_tui.logic.workspace_link import find_session, propose_rollback

        def propose(target: WorkspaceTarget) -> Proposal:
            frame = store.frame(index)
            named = recorded_text(frame.metadata.custom, RECORDED_SESSION_KEY)
            if named:
                target = replace(target, session_id=named)
            commit = snapshot_commit(frame.metadata.custom)  # read once here: the engine need not read it again
            return propose_rollback(find_session(target, store.session.session_id), index, commit)

        self._with_workspace("Cannot roll the files back", propose)

    def action_undo_rollback(self) -> None:
        store = self._store_for_workspace()
        if store is None:
            return
        if options_of(self).workspace is None and recorded_text(store.session.metadata, RECORDED_PATH_KEY) is None:  # type: ignore[arg-type]
            # No folder to roll back, so no rollback that could be undone: said, not a dialog.
            self.say(
                "Nothing to undo: no workspace is known for this recording, so no files were rolled back. "
                "Start vcr-tui with --workspace PATH to work on the files.",
                severity="warning",
                timeout=8,
            )
            return
        from vcr_tui.logic.workspace_link import find_session, propose_undo

        self._with_workspace(
            "Cannot undo the rollback",
            lambda target: propose_undo(find_session(target, store.session.session_id)),
        )

    def action_commit_workspace(self) -> None:
        store = self._store_for_workspace()
        if store is not None:
            from vcr_tui.logic.workspace_link import find_session, propose_commit

            self._with_workspace(
                "Cannot commit the workspace",
                lambda target: propose_commit(find_session(target, store.session.session_id)),
            )

    # -- finding the workspace ---------------------------------------------------------------

    def _store_for_workspace(self) -> FrameStore | PreviewStore | None:
        store = self.store
        if store is None or not store.complete or not len(store):
            self.say("The recording is still being read: try again in a moment.", timeout=3)
            return None
        if self.view.workspace.running:
            self.say(f"Busy: {self.view.workspace.running}", timeout=3)
            return None
        return store

    def _with_workspace(self, failure_title: str, propose: Callable[[WorkspaceTarget], Proposal]) -> None:
        """Run ``propose`` in a worker once the workspace is known (asking the user if need be)."""
        from vcr_tui.logic.workspace_link import Origin, WorkspaceTarget, recorded_path_problem
        from vcr_tui.screens.debugger.workspace_dialogs import ConfirmWorkspaceDialog, MessageDialog

        store = self.store
        assert store is not None
        header = store.session.metadata
        session_id = recorded_text(header, RECORDED_SESSION_KEY)
        if session_id is None and self.current is not None:
            session_id = recorded_text(self.current.metadata.custom, RECORDED_SESSION_KEY)
        recording = Path(getattr(store, "path", self.path))
        named = recorded_text(header, RECORDED_PATH_KEY)

        def read(target: WorkspaceTarget) -> None:
            self._run_workspace_job(failure_title, "reading the workspace…", lambda: propose(target))

        option = options_of(self).workspace  # type: ignore[arg-type]
        if option is not None:
            read(WorkspaceTarget(Path(option), Origin.OPTION, recording, session_id, named))
            return
        if named is None:
            self.app.push_screen(MessageDialog("No workspace for this recording", how_to_name_a_workspace(recording)))
            return
        problem = recorded_path_problem(named)
        if problem is not None:
            self.app.push_screen(MessageDialog("Unusable workspace path", unusable_path(named, problem), error=True))
            return
        target = WorkspaceTarget(Path(named), Origin.RECORDING, recording, session_id, named)
        if named == self.view.workspace.accepted:
            read(target)
            return

        def answered(accepted: bool | None) -> None:
            if not accepted:
                self.say(
                    "The folder named by the recording was not used; nothing was read or changed. "
                    "Start vcr-tui with --workspace PATH to name the folder yourself.",
                    timeout=8,
                )
                return
            self.view.workspace.accepted = named
            read(target)

        self.app.push_screen(ConfirmWorkspaceDialog(named, session_id), callback=answered)

    def _nearest_snapshot_hint(self, store: FrameStore | PreviewStore, index: int, reach: int = 30) -> str:
        """The " The nearest one before it is #N." hint, when a savepoint is at most a screenful back.

        Short on purpose: the rows on screen are cached, so this reads (almost) nothing on the UI thread.
        """
        for earlier in range(index - 1, max(index - reach, 0) - 1, -1):
            try:
                if store.row(earlier).has_snapshot:
                    return f" The nearest one before it is #{earlier}."
            except (IndexError, OSError):
                return ""
        return ""

    # -- workers -----------------------------------------------------------------------------

    def _run_workspace_job(self, failure_title: str, doing: str, job: Callable[[], object]) -> None:
        self.view.workspace.running = doing
        self._workspace_worker(failure_title, job)

    @work(thread=True, group="workspace", exit_on_error=False)
    def _workspace_worker(self, failure_title: str, job: Callable[[], object]) -> None:
        """Run one step against the workspace and post what came of it; never raises."""
        from recorder.acid.errors import NothingToUndoError  # the workspace engine loads with its first job
        from vcr_tui.logic.workspace_link import CommitProposal, RollbackProposal, failure_text

        try:
            outcome = job()
        except NothingToUndoError:  # not a failure: a notice says so, no dialog needs closing
            self.post_message(WorkspaceFinished("Nothing to undo", NOTHING_TO_UNDO))
            return
        except Exception as exc:  # the engine's sentence, or a plain one: never a traceback
            self.post_message(WorkspaceFinished(failure_title, failure_text(exc), failed=True))
            return
        if isinstance(outcome, (RollbackProposal, CommitProposal)):
            self.post_message(WorkspaceProposed(outcome))
        else:
            self.post_message(WorkspaceFinished("Done", str(outcome)))

    def on_workspace_proposed(self, message: WorkspaceProposed) -> None:
        from vcr_tui.logic.workspace_link import RollbackProposal
        from vcr_tui.screens.debugger.workspace_dialogs import CommitDialog, RollbackDialog

        self.view.workspace.running = None
        proposal = message.proposal

        if isinstance(proposal, RollbackProposal):
            dialog: RollbackDialog | CommitDialog = RollbackDialog(proposal, self._key_of(UNDO_BINDING_ID))
        else:
            dialog = CommitDialog(proposal)
        self.app.clear_notifications()  # an earlier result would cover the dialog
        self.app.push_screen(dialog, callback=lambda confirmed: self._confirmed(proposal, bool(confirmed)))

    def _confirmed(self, proposal: Proposal, confirmed: bool) -> None:
        if not confirmed:
            self.say("Cancelled: nothing was changed.", timeout=3)
            return
        from vcr_tui.logic.workspace_link import RollbackProposal, apply_commit, apply_rollback

        undo_key = self._key_of(UNDO_BINDING_ID)
        if isinstance(proposal, RollbackProposal):

            def roll_back() -> object:
                from recorder.acid import RollbackResult
                from vcr_tui.logic.workspace_text import rollback_done

                outcome = apply_rollback(proposal)
                if isinstance(outcome, RollbackResult):
                    return rollback_done(outcome, proposal, undo_key)
                return outcome

            self._run_workspace_job("The rollback was not made", "rolling the files back…", roll_back)
        else:

            def commit() -> object:
                from recorder.acid import CommitResult
                from vcr_tui.logic.workspace_text import commit_done

                outcome = apply_commit(proposal, None)
                return commit_done(outcome) if isinstance(outcome, CommitResult) else outcome

            self._run_workspace_job("Nothing was committed", "committing…", commit)

    def on_workspace_finished(self, message: WorkspaceFinished) -> None:
        self.view.workspace.running = None
        if message.failed:
            from vcr_tui.screens.debugger.workspace_dialogs import MessageDialog

            self.app.clear_notifications()
            self.app.push_screen(MessageDialog(message.title, message.text, error=True))
        else:
            self.say(message.text, timeout=12)

    def _key_of(self, binding_id: str) -> str:
        """The key bound to ``binding_id`` now (the user's keymap applied), as typed."""
        return key_of(self, binding_id, options_of(self).keymap, "ctrl+z")  # type: ignore[arg-type]
