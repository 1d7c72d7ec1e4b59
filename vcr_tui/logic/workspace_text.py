"""The words and lists of the workspace dialogs: dry runs, commit previews and results.

Kept apart from the dialogs so the wording can be read (and tested) without a terminal. Every
file name and id passes through ``clean``: they come from the disk and from the recording, and
must never style or control the terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text

from vcr_tui.logic.safe_text import clean, shorten
from vcr_tui.logic.workspace_facts import short_commit
from vcr_tui.logic.workspace_link import CommitProposal, ProposalKind, RollbackProposal
from vcr_tui.theme import (
    CHANGE_STYLES,
    ERROR_STYLE,
    LABEL_STYLE,
    SNAPSHOT_GLYPH,
    SNAPSHOT_STYLE,
    WARNING_STYLE,
    bold,
    italic,
)

if TYPE_CHECKING:  # the frame pane shows snapshot facts with the screen; the models load with a dialog
    from recorder.acid import CommitPreview, CommitResult, RecoveredRestore, RollbackPlan, RollbackResult

SHOWN_PER_GROUP = 500
_ADDED = CHANGE_STYLES["added"][1]
_REMOVED = CHANGE_STYLES["removed"][1]
_CHANGED = CHANGE_STYLES["changed"][1]
_KEPT = LABEL_STYLE


def files(count: int) -> str:
    return f"{count:,} file" if count == 1 else f"{count:,} files"


# -- the dry run of a rollback -------------------------------------------------------------------


def rollback_title(proposal: RollbackProposal) -> str:
    if proposal.kind is ProposalKind.UNDO:
        return "Undo the last rollback of the files"
    return f"Roll the files back to frame #{proposal.frame_index}"


def rollback_intro(proposal: RollbackProposal) -> Text:
    """What the rollback does, in a sentence that names the folder and the savepoint."""
    plan = proposal.plan
    text = Text()
    if proposal.changed:
        text.append("The files changed since the dry run you saw; nothing was done. ", style=WARNING_STYLE)
        text.append("This is the dry run now.\n\n", style=WARNING_STYLE)
    for found in proposal.recovered:
        text.append(recovery_sentence(found) + "\n\n", style=WARNING_STYLE)
    text.append("Put the files of ")
    text.append(clean(str(plan.workspace)), style="bold")
    if proposal.kind is ProposalKind.UNDO:
        text.append(" back as they were just before the last rollback.")
    else:
        text.append(" back as they were at ")
        text.append(f"{SNAPSHOT_GLYPH} {_snapshot_name(plan)}", style=SNAPSHOT_STYLE)
        text.append(f" (frame #{proposal.frame_index}).")
    text.append("\n")
    text.append_text(plan_counts(plan))
    return text


def recovery_sentence(found: RecoveredRestore) -> str:
    """What ``attach`` did with a restore a killed process left half-done."""
    if found.undone:
        return "A rollback was interrupted (its process was killed) and has been reversed: every file is as before it."
    return "A rollback was interrupted (its process was killed) after every file was in place: its clean-up is done."


def _snapshot_name(plan: RollbackPlan) -> str:
    from recorder.acid import SnapshotKind

    target = plan.target
    name = clean(shorten(target.node_name or "", 50))
    if target.kind is SnapshotKind.SAVEPOINT:
        return f"savepoint {target.number}" + (f", {name}" if name else "")
    if target.kind is SnapshotKind.BEGIN:
        return "the start of the session"
    return f"the state before a {name or 'rollback'}"


def plan_counts(plan: RollbackPlan) -> Text:
    """``~ 2 restore   + 1 create   − 3 delete   · 1 kept``: the dry run in one line."""
    parts = [
        (f"~ {len(plan.restore):,} restore", _CHANGED if plan.restore else LABEL_STYLE),
        (f"+ {len(plan.create):,} create", _ADDED if plan.create else LABEL_STYLE),
        (f"− {len(plan.delete):,} delete", _REMOVED if plan.delete else LABEL_STYLE),
        (f"· {len(plan.keep):,} kept", _KEPT),
    ]
    if plan.conflicts:
        parts.append((f"✖ {len(plan.conflicts):,} blocking", ERROR_STYLE))
    text = Text()
    for position, (words, style) in enumerate(parts):
        if position:
            text.append("   ")
        text.append(words, style=bold(style) if style != LABEL_STYLE else style)
    return text


def plan_listing(plan: RollbackPlan, *, undo: bool = False, limit: int = SHOWN_PER_GROUP) -> Text:
    """Every file of the dry run, grouped by what happens to it (blocking paths first)."""
    since = "by the rollback or since" if undo else "since the savepoint"
    groups: list[tuple[str, str, str, Sequence[str]]] = [
        ("✖", "Blocking", "something no snapshot holds is in the way", plan.conflicts),
        ("~", "Restore", f"changed {since}", plan.restore),
        ("+", "Create", f"deleted {since}, brought back", plan.create),
        ("−", "Delete", f"created {since}", plan.delete),
        ("·", "Keep", "your own files from before the run, or ignored ones: never deleted", plan.keep),
    ]
    styles = {"✖": ERROR_STYLE, "~": _CHANGED, "+": _ADDED, "−": _REMOVED, "·": _KEPT}
    text = Text()
    for sign, verb, why, paths in groups:
        if paths:
            _append_group(text, sign, styles[sign], f"{verb} {files(len(paths))}", why, paths, limit)
    if not text:
        text.append("No file differs: the files already match.", style=italic(LABEL_STYLE))
    text.rstrip()
    return text


def _append_group(text: Text, sign: str, style: str, heading: str, why: str, paths: Sequence[str], limit: int) -> None:
    if text:
        text.append("\n")
    text.append(heading, style=bold(style) if style != LABEL_STYLE else "bold")
    text.append(f"  {why}\n" if why else "\n", style=LABEL_STYLE)
    for path in paths[:limit]:
        text.append(f"  {sign} ", style=style)
        text.append(clean(path))
        text.append("\n")
    if len(paths) > limit:
        text.append(f"  … and {len(paths) - limit:,} more\n", style=italic(LABEL_STYLE))


def rollback_notes(proposal: RollbackProposal, undo_key: str = "ctrl+z") -> Text:
    """What to know before saying yes: the undo, the recording."""
    plan = proposal.plan
    text = Text()
    if plan.conflicts:
        text.append("✖ Nothing can be changed while these paths are in the way: ", style=ERROR_STYLE)
        text.append("move or remove them, then try again.\n")
    elif plan.is_empty:
        text.append("The files already match: there is nothing to roll back.\n", style="italic")
    elif proposal.kind is ProposalKind.UNDO:
        text.append(
            "The files as they are now are saved in a snapshot first; the frame can be rolled back to again.\n",
            style=LABEL_STYLE,
        )
    else:
        text.append(f"The files as they are now are saved first: {undo_key} undoes the rollback.\n", style=LABEL_STYLE)
        text.append(
            "The recording keeps all its frames; a run resumed from here continues in a fork.\n", style=LABEL_STYLE
        )
    text.rstrip()
    return text


def rollback_done(result: RollbackResult, proposal: RollbackProposal, undo_key: str = "ctrl+z") -> str:
    """The notification after a rollback (or its undo) has been made."""
    plan = result.plan
    counts = f"{len(plan.restore):,} restored, {len(plan.create):,} created, {len(plan.delete):,} deleted"
    if plan.keep:
        counts += f", {len(plan.keep):,} of your own kept"
    if proposal.kind is ProposalKind.UNDO:
        return f"Rollback undone: the files are back as they were before it ({counts})."
    return (
        f"Files rolled back to frame #{proposal.frame_index} ({counts}). "
        "The recording keeps all its frames; a run resumed from here continues in a fork. "
        f"{undo_key} undoes the rollback."
    )


# -- the preview of a commit ---------------------------------------------------------------------


def commit_intro(proposal: CommitProposal) -> Text:
    preview = proposal.preview
    text = Text()
    if proposal.changed:
        text.append("The files changed since the preview you saw; nothing was committed. ", style=WARNING_STYLE)
        text.append("This is what a commit holds now.\n\n", style=WARNING_STYLE)
    text.append("Land the changes of session ")
    text.append(clean(preview.session_id), style="bold")
    text.append(" as one commit ")
    text.append_text(_where(preview))
    text.append(" in ")
    text.append(clean(str(proposal.workspace)), style="bold")
    text.append(".\n")
    text.append_text(commit_counts(preview))
    return text


def _where(preview: CommitPreview) -> Text:
    if preview.branch and preview.head:
        return Text.assemble("on branch ", (clean(preview.branch), "bold"), f" (now at {short_commit(preview.head)})")
    if preview.branch:
        return Text.assemble("as the first commit of branch ", (clean(preview.branch), "bold"))
    return Text(f"on a detached HEAD (at {short_commit(preview.head)})")


def commit_counts(preview: CommitPreview) -> Text:
    parts = [
        (f"+ {len(preview.added):,} added", _ADDED if preview.added else LABEL_STYLE),
        (f"~ {len(preview.modified):,} modified", _CHANGED if preview.modified else LABEL_STYLE),
        (f"− {len(preview.deleted):,} deleted", _REMOVED if preview.deleted else LABEL_STYLE),
    ]
    text = Text()
    for position, (words, style) in enumerate(parts):
        if position:
            text.append("   ")
        text.append(words, style=bold(style) if style != LABEL_STYLE else style)
    return text


def commit_listing(preview: CommitPreview, limit: int = SHOWN_PER_GROUP) -> Text:
    text = Text()
    groups = [
        ("+", "Added", _ADDED, preview.added),
        ("~", "Modified", _CHANGED, preview.modified),
        ("−", "Deleted", _REMOVED, preview.deleted),
    ]
    for sign, heading, style, paths in groups:
        if paths:
            _append_group(text, sign, style, f"{heading}: {files(len(paths))}", "", paths, limit)
    if preview.staged_elsewhere:
        _append_group(
            text,
            "·",
            WARNING_STYLE,
            f"Staged by you, not in this commit: {files(len(preview.staged_elsewhere))}",
            "they stay staged",
            preview.staged_elsewhere,
            limit,
        )
    if not text:
        text.append("The session changed no files.", style=italic(LABEL_STYLE))
    if not text.plain.endswith("\n"):
        text.append("\n")
    text.append("\nMessage\n", style="bold")
    for line in preview.message.rstrip("\n").split("\n"):
        text.append("  │ ", style=LABEL_STYLE)
        text.append(clean(line))
        text.append("\n")
    text.rstrip()
    return text


def commit_notes(proposal: CommitProposal) -> Text:
    text = Text()
    if proposal.preview.is_empty:
        text.append("Nothing to commit: confirming ends the session without a commit.\n", style="italic")
    else:
        text.append(
            "Only these files are committed; your other changes stay as they are. Hooks do not run.\n",
            style=LABEL_STYLE,
        )
    text.append(
        "The session ends: its snapshots are dropped and frames can no longer be rolled back to.", style=LABEL_STYLE
    )
    return text


def commit_done(result: CommitResult) -> str:
    if result.commit is None:
        return "The session changed no files: it ended without a commit."
    where = f"on {result.branch}" if result.branch else "on the detached HEAD"
    total = len(result.added) + len(result.modified) + len(result.deleted)
    subject = result.message.split("\n", 1)[0]
    return f"Committed {files(total)} as {short_commit(result.commit)} {where}: {clean(shorten(subject, 72))}"
