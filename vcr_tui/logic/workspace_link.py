"""How the debugger reaches the workspace a recording was made in, and what it asks of the engine.

The viewer never keeps an ACID session open: each step (a dry run, then the change itself)
attaches to the session, does one thing and lets go, so the agent or another viewer is locked
out only for as long as a few git commands take. Because the user decides on the dry run they
were shown, a change is made only if a fresh dry run, taken under the same lock, still matches
it; otherwise nothing changes and the new dry run is handed back to be shown instead.

Where the workspace is comes from ``--workspace`` (typed by the user) or from the recording's
header; the header is untrusted input, so the screen asks before this module is given that path.
Everything here runs on worker threads and knows nothing of Textual.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from recorder.acid.errors import RepositoryStateError, SessionError, WorkspaceError

if TYPE_CHECKING:  # the engine's workspace models load with the first workspace action, not with the screen
    from recorder.acid import (
        ACIDWorkspace,
        CommitPreview,
        CommitResult,
        RecoveredRestore,
        RollbackPlan,
        RollbackResult,
    )


class Origin(str, enum.Enum):
    """Where the workspace path came from; only ``OPTION`` is trusted without asking."""

    OPTION = "option"
    RECORDING = "recording"


@dataclass(frozen=True)
class WorkspaceTarget:
    """The workspace folder, the session to attach to (None: find it there) and the recording shown."""

    path: Path
    origin: Origin
    recording: Path
    session_id: str | None = None
    named_by_recording: str | None = None  # the recording's own idea of the folder, only ever quoted


class ProposalKind(str, enum.Enum):
    ROLLBACK = "rollback"
    UNDO = "undo"
    COMMIT = "commit"


@dataclass(frozen=True)
class RollbackProposal:
    """A dry run of a rollback (or of undoing one), for the user to confirm.

    ``changed`` says the files moved on since the dry run the user saw: this is the new one.
    """

    kind: ProposalKind
    target: WorkspaceTarget
    frame_index: int | None
    plan: RollbackPlan
    changed: bool = False
    recovered: tuple[RecoveredRestore, ...] = ()  # half-done restores of a killed process, put right


@dataclass(frozen=True)
class CommitProposal:
    """What a commit would land, for the user to confirm (``changed``: as for a rollback)."""

    target: WorkspaceTarget
    preview: CommitPreview
    workspace: Path
    changed: bool = False


Proposal = RollbackProposal | CommitProposal


# -- what the recording says -------------------------------------------------------------------


def recorded_path_problem(text: str) -> str | None:
    """Why a workspace path read from a recording cannot be offered at all, or None.

    A relative path would mean whatever folder vcr-tui happens to run in, so it is never offered.
    """
    if "\x00" in text:
        return "it contains a NUL character"
    if not os.path.isabs(text):
        return "it is not an absolute path"
    return None


# -- sessions ------------------------------------------------------------------------------------


def find_session(target: WorkspaceTarget, session_of_recording: str) -> WorkspaceTarget:
    """``target`` with its session id: named by the recording, or the one open session that fits.

    A session fits when it was begun with this recording, or has the recording's session id; a
    workspace with a single open session uses that one (a wrong guess is harmless: the engine
    refuses a frame whose snapshot is not the session's, and a commit is confirmed on screen).
    """
    if target.session_id:
        return target
    from recorder.acid import ACIDWorkspace  # the workspace code loads when a workspace is used

    sessions = ACIDWorkspace.sessions(target.path)
    if not sessions:
        raise SessionError(
            f"no session of files is open in {target.path}: the run was not recorded with ACIDWorkspace "
            f"on this folder, or its session was committed or aborted{elsewhere_hint(target)}"
        )
    recording = _resolved(target.recording)
    fitting = [
        info
        for info in sessions
        if (info.recording is not None and _resolved(info.recording) == recording)
        or info.session_id == session_of_recording
    ]
    if len(fitting) == 1 or (not fitting and len(sessions) == 1):
        chosen = (fitting or sessions)[0]
        return replace(target, session_id=chosen.session_id)
    names = ", ".join(info.session_id for info in (fitting or sessions)[:5])
    raise SessionError(
        f"{len(fitting or sessions)} sessions are open in {target.path} ({names}) and the recording "
        "does not say which one is its own"
    )


@contextmanager
def attached(target: WorkspaceTarget) -> Iterator[ACIDWorkspace]:
    """The target's session, held only for the ``with`` block."""
    from recorder.acid import ACIDWorkspace

    if not target.session_id:
        raise SessionError("no session id: call find_session() first")
    if all(info.session_id != target.session_id for info in ACIDWorkspace.sessions(target.path)):
        raise SessionError(
            f"session {target.session_id!r} is not open in {target.path}: it was committed or aborted, "
            f"or the run changed another folder{elsewhere_hint(target)}"
        )
    workspace = ACIDWorkspace.attach(target.path, target.session_id, recording=target.recording)
    try:
        yield workspace
    finally:
        workspace.detach()


def elsewhere_hint(target: WorkspaceTarget) -> str:
    """ "; the recording names X as its workspace" when ``--workspace`` named another folder."""
    named = target.named_by_recording
    if target.origin is Origin.OPTION and named and named != str(target.path):
        return f"; the recording names {named} as its workspace"
    return ""


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


# -- rollback and its undo -----------------------------------------------------------------------


def propose_rollback(target: WorkspaceTarget, frame_index: int, commit: str | None = None) -> RollbackProposal:
    """The dry run of rolling the files back to frame ``frame_index``.

    ``commit`` is the snapshot that frame names, when the caller has read the frame already: then
    the recording is not read at all; without it, the engine reads that one frame to find it.
    """
    with attached(target) as workspace:
        workspace.refuse_busy_repository()  # said now, not after a "yes"
        if commit is None:
            plan = workspace.plan_rollback(frame_index)
        else:
            plan = workspace.plan_rollback_to(workspace.snapshot_named(commit))
        return RollbackProposal(ProposalKind.ROLLBACK, target, frame_index, plan, recovered=tuple(workspace.recovered))


def propose_undo(target: WorkspaceTarget) -> RollbackProposal:
    with attached(target) as workspace:
        workspace.refuse_busy_repository()
        plan = workspace.plan_undo_rollback()
        return RollbackProposal(ProposalKind.UNDO, target, None, plan, recovered=tuple(workspace.recovered))


def apply_rollback(proposal: RollbackProposal) -> RollbackResult | RollbackProposal:
    """Roll back (or undo) as confirmed; a new proposal if the dry run no longer matches.

    The snapshot is the one the confirmed dry run restores (``plan.target``), so confirming never
    reads the recording again, however large it is.
    """
    with attached(proposal.target) as workspace:
        if proposal.kind is ProposalKind.UNDO:
            fresh = workspace.plan_undo_rollback()
        else:
            fresh = workspace.plan_rollback_to(proposal.plan.target)
        if not same_plan(fresh, proposal.plan):
            return RollbackProposal(proposal.kind, proposal.target, proposal.frame_index, fresh, changed=True)
        if proposal.kind is ProposalKind.UNDO:
            return workspace.undo_rollback()
        return workspace.rollback_to(proposal.plan.target)


def same_plan(first: RollbackPlan, second: RollbackPlan) -> bool:
    """True when two dry runs would do the same thing (same snapshot, same files, same conflicts)."""
    return (first.target.commit, first.restore, first.create, first.delete, first.conflicts) == (
        second.target.commit,
        second.restore,
        second.create,
        second.delete,
        second.conflicts,
    )


# -- commit --------------------------------------------------------------------------------------


def propose_commit(target: WorkspaceTarget) -> CommitProposal:
    """The preview of a commit; what would refuse it (a merge in progress, HEAD on another branch
    than at the run's start) is said now, not after a "yes"."""
    with attached(target) as workspace:
        workspace.refuse_busy_repository()
        preview = workspace.preview_commit()
        if preview.refused:
            raise RepositoryStateError(preview.refused)
        return CommitProposal(target, preview, workspace.layout.workspace)


def apply_commit(proposal: CommitProposal, message: str | None) -> CommitResult | CommitProposal:
    """Commit as confirmed (with the user's message, if any); a new proposal if the files moved on."""
    with attached(proposal.target) as workspace:
        fresh = workspace.preview_commit()
        if fresh.refused:
            raise RepositoryStateError(fresh.refused)
        if not same_preview(fresh, proposal.preview):
            return CommitProposal(proposal.target, fresh, workspace.layout.workspace, changed=True)
        return workspace.commit(message)


def same_preview(first: CommitPreview, second: CommitPreview) -> bool:
    def facts(preview: CommitPreview) -> tuple[object, ...]:
        return (preview.branch, preview.head, preview.added, preview.modified, preview.deleted)

    return facts(first) == facts(second)


# -- failures ------------------------------------------------------------------------------------


def failure_text(error: BaseException) -> str:
    """One sentence for the screen, whatever went wrong; never a traceback."""
    if isinstance(error, WorkspaceError):
        return str(error) or type(error).__name__
    if isinstance(error, OSError):
        where = f" ({error.filename})" if error.filename else ""
        return f"{error.strerror or error}{where}"
    return f"unexpected {type(error).__name__}: {error}"
