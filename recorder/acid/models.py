"""The values the workspace hands back: snapshots, dry-run plans, results and status.

All are frozen and hold only strings, numbers and paths, so a UI can keep them, show them and
pass them between threads. File paths in them are relative to the workspace folder, with ``/``
separators, exactly as the user would type them from that folder.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from recorder.writer import VCRRecorder


class SnapshotKind(str, enum.Enum):
    """Why a snapshot was taken."""

    BEGIN = "begin"
    SAVEPOINT = "savepoint"
    BEFORE_ROLLBACK = "before-rollback"


@dataclass(frozen=True)
class Snapshot:
    """One recorded state of the workspace: a commit under ``refs/vcr/<session>/``."""

    kind: SnapshotKind
    number: int
    commit: str
    tree: str
    node_name: str | None = None
    frame_index: int | None = None
    created_at: str = ""


class ChangeKind(str, enum.Enum):
    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"


@dataclass(frozen=True)
class FileChange:
    """A file that differs between two states (a type change, file to link, counts as modified)."""

    path: str
    kind: ChangeKind


@dataclass(frozen=True)
class RollbackPlan:
    """What a rollback would do, computed without changing anything (the dry run).

    ``restore``: files that exist now and get their content, mode or type from the savepoint.
    ``create``: files deleted since the savepoint, brought back.
    ``delete``: files created since the savepoint, removed.
    ``keep``: files the savepoint lacks that stay, because they are the user's own work from
    before the session (untracked, or changed and not committed, at ``begin``) or git ignored
    them then: those are never deleted.
    ``conflicts``: paths where something no snapshot holds (an ignored file, a foreign folder)
    stands in the way; a plan with conflicts is refused as a whole.
    """

    target: Snapshot
    workspace: Path
    restore: tuple[str, ...] = ()
    create: tuple[str, ...] = ()
    delete: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when the workspace already matches the savepoint."""
        return not (self.restore or self.create or self.delete)

    @property
    def can_apply(self) -> bool:
        return not self.conflicts


@dataclass(frozen=True)
class RollbackResult:
    """A rollback that happened; ``undo_snapshot`` is the state just before it."""

    plan: RollbackPlan
    undo_snapshot: Snapshot
    recorder: VCRRecorder | None = field(default=None, compare=False)


@dataclass(frozen=True)
class CommitPreview:
    """What ``commit()`` would land, for a confirmation dialog.

    Only the files the session changed go into the commit. ``staged_elsewhere`` lists files the
    user had staged that the session did not touch: they are not committed and stay staged.
    ``refused`` is why ``commit()`` would refuse right now (HEAD moved to another branch since
    ``begin``, a merge or rebase in progress, unresolved conflicts), so a dialog can say so
    before asking, not after.
    """

    session_id: str
    branch: str | None
    head: str | None
    message: str
    added: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    staged_elsewhere: tuple[str, ...] = ()
    refused: str | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.modified or self.deleted)


@dataclass(frozen=True)
class CommitResult:
    """The commit made (``None`` when the session changed nothing) and what it holds."""

    commit: str | None
    branch: str | None
    message: str
    added: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    kept_ref: str | None = None
    """A ref under ``refs/vcr-kept/`` holding the states the session's rollbacks replaced, if any."""


@dataclass(frozen=True)
class AbortResult:
    """An abort that happened: the files as they were at ``begin``.

    ``discarded`` is a commit holding the files as they were just before the abort (the user's
    own edits since ``begin`` among them); ``kept_ref`` (under ``refs/vcr-kept/``) keeps it and
    every earlier snapshot of the session safe from ``git gc``, so
    ``git checkout <discarded> -- <path>`` fetches something back at any time. Delete the ref
    (``git update-ref -d``) once nothing in it is wanted.
    """

    plan: RollbackPlan
    discarded: str
    kept_ref: str | None = None


@dataclass(frozen=True)
class SessionInfo:
    """An open session found in a repository (left by a finished or killed process)."""

    session_id: str
    workspace: Path
    base_commit: str
    created_at: str
    savepoints: int
    recording: Path | None


@dataclass(frozen=True)
class WorkspaceStatus:
    """Where the workspace stands."""

    workspace: Path
    repository: Path
    shadow: bool
    session_id: str | None
    active: bool
    branch: str | None = None
    head: str | None = None
    base: Snapshot | None = None
    savepoints: tuple[Snapshot, ...] = ()
    undo_depth: int = 0
    changes: tuple[FileChange, ...] = ()
    recording: Path | None = None
