"""Errors the workspace raises on purpose, each with a message fit for a user's screen.

Every one derives from ``WorkspaceError`` so a caller (the TUI, a script) can show ``str(error)``
and carry on: none of them means the user's files were left half-changed.
"""

from __future__ import annotations


class WorkspaceError(Exception):
    """Something the workspace refuses or cannot do; the message says what and what to do."""


class GitUnavailableError(WorkspaceError):
    """The ``git`` program (or the GitPython package) cannot be found."""


class RepositoryStateError(WorkspaceError):
    """The repository is in a state the workspace will not work in (merge in progress, bare, ...)."""


class SessionError(WorkspaceError):
    """The call does not fit the session's state: none begun, one already open, an unknown id."""


class NothingToUndoError(SessionError):
    """An undo was asked for, but no rollback of this session is left to undo."""


class SnapshotNotFoundError(WorkspaceError):
    """The frame or savepoint asked for has no snapshot of this session."""


class RollbackConflictError(WorkspaceError):
    """Applying the rollback would overwrite something no snapshot holds; nothing was changed."""

    def __init__(self, message: str, paths: tuple[str, ...]) -> None:
        super().__init__(message)
        self.paths = paths


class GitCommandFailedError(WorkspaceError):
    """A git command failed; the message quotes git's own explanation."""

    def __init__(self, message: str, *, command: tuple[str, ...], status: int, stderr: str) -> None:
        super().__init__(message)
        self.command = command
        self.status = status
        self.stderr = stderr


class RollbackFailedError(WorkspaceError):
    """Writing the files failed part-way (a full disk, a write-protected folder...).

    ``path`` is the file that failed, relative to the workspace. ``undone`` is True when every
    file was put back as it was before (the usual case); when False, some could not be, and the
    state before is kept as a snapshot so ``undo_rollback`` (or another ``abort``) can finish.
    """

    def __init__(self, message: str, *, path: str, undone: bool) -> None:
        super().__init__(message)
        self.path = path
        self.undone = undone
