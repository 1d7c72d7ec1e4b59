"""Transactions over the folder an agent works in: savepoints, rollback, commit, abort (git-backed).

``ACIDWorkspace`` is the entry point; see ``recorder.acid.workspace`` for the rules it keeps.
GitPython (and the git program) are needed only once a workspace is opened, so importing this
package costs nothing on a machine without git.
"""

from recorder.acid.errors import (
    GitCommandFailedError,
    GitUnavailableError,
    RepositoryStateError,
    RollbackConflictError,
    RollbackFailedError,
    SessionError,
    SnapshotNotFoundError,
    WorkspaceError,
)
from recorder.acid.layout import DEFAULT_SHADOW_EXCLUDES, SHADOW_DIR_VARIABLE
from recorder.acid.models import (
    AbortResult,
    ChangeKind,
    CommitPreview,
    CommitResult,
    FileChange,
    RollbackPlan,
    RollbackResult,
    SessionInfo,
    Snapshot,
    SnapshotKind,
    WorkspaceStatus,
)
from recorder.acid.restore_journal import RecoveredRestore
from recorder.acid.workspace import COMMIT_HASH_KEY, ACIDWorkspace

__all__ = [
    "COMMIT_HASH_KEY",
    "DEFAULT_SHADOW_EXCLUDES",
    "SHADOW_DIR_VARIABLE",
    "ACIDWorkspace",
    "AbortResult",
    "ChangeKind",
    "CommitPreview",
    "CommitResult",
    "FileChange",
    "GitCommandFailedError",
    "GitUnavailableError",
    "RecoveredRestore",
    "RepositoryStateError",
    "RollbackConflictError",
    "RollbackFailedError",
    "RollbackPlan",
    "RollbackResult",
    "SessionError",
    "SessionInfo",
    "Snapshot",
    "SnapshotKind",
    "SnapshotNotFoundError",
    "WorkspaceError",
    "WorkspaceStatus",
]
