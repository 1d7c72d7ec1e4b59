"""Comparing two snapshot trees, and the path rules every file operation obeys.

A snapshot tree only ever holds the workspace's files, so a plain recursive ``diff-tree`` between
two of them is exactly the set of files a rollback touches. Renames are reported as a deletion
plus an addition, which is what the file system needs. Nested repositories (gitlinks) are left
out: the workspace never reaches into another repository.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from recorder.acid.errors import WorkspaceError
from recorder.acid.gitrunner import GitRunner
from recorder.acid.models import ChangeKind, FileChange

GITLINK_MODE = "160000"
SYMLINK_MODE = "120000"
EXECUTABLE_MODE = "100755"


@dataclass(frozen=True)
class TreeChange:
    """One path that differs; ``old_*`` is the first tree's side, ``new_*`` the second's."""

    status: str
    path: str
    old_mode: str
    new_mode: str
    old_oid: str
    new_oid: str

    @property
    def kind(self) -> ChangeKind:
        if self.status == "A":
            return ChangeKind.ADDED
        if self.status == "D":
            return ChangeKind.DELETED
        return ChangeKind.MODIFIED


def diff_trees(git: GitRunner, old: str, new: str) -> list[TreeChange]:
    """Every file that differs between two trees (or commits), in path order."""
    out = git.run("diff-tree", "-r", "-z", "--no-renames", "--no-abbrev", "--raw", old, new)
    fields = out.split(b"\0")
    changes: list[TreeChange] = []
    position = 0
    while position + 1 < len(fields):
        meta, raw_path = fields[position], fields[position + 1]
        position += 2
        if not meta.startswith(b":"):
            continue
        old_mode, new_mode, old_oid, new_oid, status = meta[1:].decode("ascii").split(" ")
        if GITLINK_MODE in (old_mode, new_mode):
            continue
        changes.append(TreeChange(status[:1], os.fsdecode(raw_path), old_mode, new_mode, old_oid, new_oid))
    return changes


def as_file_changes(changes: list[TreeChange], to_workspace: Callable[[str], str]) -> tuple[FileChange, ...]:
    """Public ``FileChange`` values, paths made relative to the workspace folder."""
    return tuple(FileChange(to_workspace(change.path), change.kind) for change in changes)


def check_relative_path(path: str, scope: str) -> None:
    """Refuse a path that could lead outside the workspace before any file operation uses it."""
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or "\0" in path:
        raise WorkspaceError(f"refusing the path {path!r}: not a relative file name")
    if any(part in ("", ".", "..") or part.lower() == ".git" for part in path.split("/")):
        raise WorkspaceError(f"refusing the path {path!r}: it leaves the workspace or enters .git")
    if scope and not path.startswith(scope + "/"):
        raise WorkspaceError(f"refusing the path {path!r}: it is outside the workspace folder {scope!r}")
