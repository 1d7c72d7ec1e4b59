"""Transactions over the folder an agent works in: savepoints, rollback, commit, abort (git-backed).

``ACIDWorkspace`` is the entry point; see ``recorder.acid.workspace`` for the rules it keeps.
GitPython (and the git program) are needed only once a workspace is opened, so importing this
package costs nothing on a machine without git. Each name is imported from its module on first
use (``EXPORTS``): a viewer that only reads a snapshot's facts never loads the workspace itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from recorder.lazy_exports import lazy_exports

if TYPE_CHECKING:  # the same names as EXPORTS, for type checkers and editors
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

EXPORTS: dict[str, str] = {
    "GitCommandFailedError": "recorder.acid.errors",
    "GitUnavailableError": "recorder.acid.errors",
    "RepositoryStateError": "recorder.acid.errors",
    "RollbackConflictError": "recorder.acid.errors",
    "RollbackFailedError": "recorder.acid.errors",
    "SessionError": "recorder.acid.errors",
    "SnapshotNotFoundError": "recorder.acid.errors",
    "WorkspaceError": "recorder.acid.errors",
    "DEFAULT_SHADOW_EXCLUDES": "recorder.acid.layout",
    "SHADOW_DIR_VARIABLE": "recorder.acid.layout",
    "AbortResult": "recorder.acid.models",
    "ChangeKind": "recorder.acid.models",
    "CommitPreview": "recorder.acid.models",
    "CommitResult": "recorder.acid.models",
    "FileChange": "recorder.acid.models",
    "RollbackPlan": "recorder.acid.models",
    "RollbackResult": "recorder.acid.models",
    "SessionInfo": "recorder.acid.models",
    "Snapshot": "recorder.acid.models",
    "SnapshotKind": "recorder.acid.models",
    "WorkspaceStatus": "recorder.acid.models",
    "RecoveredRestore": "recorder.acid.restore_journal",
    "COMMIT_HASH_KEY": "recorder.acid.workspace",
    "ACIDWorkspace": "recorder.acid.workspace",
}
"""Each public name and the module that defines it."""

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


if not TYPE_CHECKING:  # type checkers see the imports above, and flag a name that is not one
    __getattr__, __dir__ = lazy_exports(__name__, EXPORTS, globals())
