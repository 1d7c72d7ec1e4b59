"""Turning the workspace from one snapshot into another, touching only what differs.

The plan starts from the difference between a snapshot of the files as they are now and the
target snapshot, so it can only name files some snapshot holds. From there:

- a file the target holds is written back (content, executable bit, or symbolic link);
- a file only the current snapshot holds is deleted, unless it is the user's own work from before
  the session (untracked, or changed and not committed, at ``begin``) or git ignored it then;
  a file committed in HEAD at ``begin`` may go, since git can always bring it back;
- anything in the way that no snapshot holds (an ignored file where a snapshot file must go, a
  folder of unknown files) makes the whole plan a conflict, refused before any change.

Writes never follow a symbolic link and never pass through one: a link in a parent position is
either one the plan deletes first, or a conflict. A file with several hard links is replaced
rather than rewritten, so the other names (possibly outside the workspace) keep their content.
Folders emptied by the deletions are removed, unless they were empty at ``begin`` already (git
cannot store an empty folder, so those are listed at ``begin``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from recorder.acid.gitrunner import ObjectReader
from recorder.acid.layout import RepositoryLayout
from recorder.acid.models import RollbackPlan, Snapshot
from recorder.acid.trees import EXECUTABLE_MODE, SYMLINK_MODE, TreeChange, check_relative_path


@dataclass
class FilePlan:
    """The plan in repository-relative paths, with what applying it needs."""

    writes: list[TreeChange] = field(default_factory=list)
    deletes: list[TreeChange] = field(default_factory=list)
    keep: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    def public(self, target: Snapshot, layout: RepositoryLayout) -> RollbackPlan:
        convert = layout.to_workspace
        return RollbackPlan(
            target=target,
            workspace=layout.workspace,
            restore=tuple(convert(c.path) for c in self.writes if c.status != "A"),
            create=tuple(convert(c.path) for c in self.writes if c.status == "A"),
            delete=tuple(convert(c.path) for c in self.deletes),
            keep=tuple(convert(path) for path in self.keep),
            conflicts=tuple(convert(path) for path in self.conflicts),
        )


def plan_changes(
    layout: RepositoryLayout,
    changes: list[TreeChange],
    may_delete: Callable[[str], bool],
) -> FilePlan:
    """Sort the differences (current -> target) into writes, deletions, kept files and conflicts."""
    plan = FilePlan()
    for change in changes:
        check_relative_path(change.path, layout.scope)
        if change.status != "D":
            plan.writes.append(change)
        elif may_delete(change.path):
            plan.deletes.append(change)
        else:
            plan.keep.append(change.path)
    deleted = {change.path for change in plan.deletes}
    conflicts: set[str] = set()
    for change in plan.writes:
        conflicts.update(_obstacles(layout.top, change, deleted))
    plan.conflicts = sorted(conflicts)
    return plan


def _obstacles(top: Path, change: TreeChange, deleted: set[str]) -> list[str]:
    """What stands in the way of writing ``change.path``."""
    parts = change.path.split("/")
    for depth in range(1, len(parts)):
        parent = "/".join(parts[:depth])
        info = _lstat(top / parent)
        if info is None:
            return []  # everything below is missing too and will be created
        if not stat.S_ISDIR(info.st_mode):
            return [] if parent in deleted else [parent]
    info = _lstat(top / change.path)
    if info is None:
        return []
    if stat.S_ISDIR(info.st_mode):
        return [] if _folder_will_empty(top, change.path, deleted) else [change.path]
    if change.status == "A":
        return [change.path]  # a file no snapshot knows (ignored, or appeared meanwhile)
    return []


def _folder_will_empty(top: Path, folder: str, deleted: set[str]) -> bool:
    """True when every file and link under ``folder`` is one the plan deletes."""
    for root, dirs, files in os.walk(top / folder):
        links = [name for name in dirs if os.path.islink(os.path.join(root, name))]
        for name in (*files, *links):
            if (Path(root) / name).relative_to(top).as_posix() not in deleted:
                return False
    return True


def apply_plan(
    layout: RepositoryLayout,
    plan: FilePlan,
    objects: ObjectReader,
    keep_folder: Callable[[str], bool],
) -> None:
    """Carry out a conflict-free plan: deletions first, then writes, then empty folders."""
    if plan.conflicts:
        raise ValueError("a plan with conflicts cannot be applied")
    top = layout.top
    emptied: set[str] = set()
    for change in plan.deletes:
        target = top / change.path
        info = _lstat(target)
        if info is not None and not stat.S_ISDIR(info.st_mode) and _inside_real_folders(top, change.path):
            target.unlink()
        emptied.update(_ancestors(change.path, layout.scope))
    for change in sorted(plan.writes, key=lambda c: c.path):
        target = top / change.path
        info = _lstat(target)
        if info is not None and stat.S_ISDIR(info.st_mode):
            _remove_empty_tree(target)
        _make_parents(top, change.path)
        _write(target, change.new_mode, change.new_oid, objects)
    for folder in sorted(emptied, key=lambda path: path.count("/"), reverse=True):
        if keep_folder(folder):
            continue
        with contextlib.suppress(OSError):
            (top / folder).rmdir()  # only ever removes an empty folder


def _ancestors(path: str, scope: str) -> Iterable[str]:
    """The folders above ``path``, up to (not including) the workspace folder itself."""
    parents = PurePosixPath(path).parents
    for parent in parents:
        text = parent.as_posix()
        if text in (".", scope):
            break
        yield text


def _inside_real_folders(top: Path, path: str) -> bool:
    """True when no folder on the way to ``path`` is a link (which could lead out of the workspace)."""
    current = top
    for part in path.split("/")[:-1]:
        current = current / part
        info = _lstat(current)
        if info is None or not stat.S_ISDIR(info.st_mode):
            return False
    return True


def _make_parents(top: Path, path: str) -> None:
    current = top
    for part in path.split("/")[:-1]:
        current = current / part
        info = _lstat(current)
        if info is None:
            current.mkdir()
        elif not stat.S_ISDIR(info.st_mode):
            raise NotADirectoryError(errno.ENOTDIR, "expected a folder, found something else", str(current))


def _remove_empty_tree(folder: Path) -> None:
    """Remove a folder the deletions have emptied (only empty folders can be left in it)."""
    for root, _dirs, _files in os.walk(folder, topdown=False):
        os.rmdir(root)


def _write(target: Path, mode: str, oid: str, objects: ObjectReader) -> None:
    info = _lstat(target)
    if mode == SYMLINK_MODE:
        destination = os.fsdecode(objects.read_blob(oid))
        if info is not None:
            target.unlink()
        os.symlink(destination, target)
        return
    executable = mode == EXECUTABLE_MODE
    create_mode = 0o777 if executable else 0o666  # the umask applies, as for any new file
    if info is None:
        _write_blob(target, oid, objects, create_mode=create_mode)
    elif not stat.S_ISREG(info.st_mode):
        _replace_file(target, oid, objects, create_mode, None)
    elif info.st_nlink > 1:
        _replace_file(target, oid, objects, create_mode, _kept_mode(info, executable))
    else:
        try:
            _write_blob(target, oid, objects)
        except PermissionError:
            os.chmod(target, stat.S_IMODE(info.st_mode) | stat.S_IWUSR)
            _write_blob(target, oid, objects)
        wanted = _kept_mode(info, executable)
        if stat.S_IMODE(os.lstat(target).st_mode) != wanted:
            os.chmod(target, wanted)


def _kept_mode(info: os.stat_result, executable: bool) -> int:
    """The file's own permissions with git's executable bit applied, as git itself does."""
    mode = stat.S_IMODE(info.st_mode)
    if executable:
        return mode | ((mode & 0o444) >> 2)
    return mode & ~0o111


_WRITE_FLAGS = os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _write_blob(target: Path, oid: str, objects: ObjectReader, *, create_mode: int | None = None) -> None:
    """Stream the blob into ``target``: a new file made with ``create_mode``, or (None) the existing one."""
    if create_mode is None:
        fd = os.open(target, _WRITE_FLAGS | os.O_TRUNC)
    else:
        fd = os.open(target, _WRITE_FLAGS | os.O_CREAT | os.O_EXCL, create_mode)
    with os.fdopen(fd, "wb") as handle:
        objects.copy_blob(oid, handle.write)


def _replace_file(target: Path, oid: str, objects: ObjectReader, create_mode: int, exact_mode: int | None) -> None:
    """Write beside the old entry and rename over it (a link, a multiply-linked file)."""
    temp = target.with_name(f".{target.name}.vcr-tui-{secrets.token_hex(4)}")
    try:
        _write_blob(temp, oid, objects, create_mode=create_mode)
        if exact_mode is not None:
            os.chmod(temp, exact_mode)
        os.replace(temp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
