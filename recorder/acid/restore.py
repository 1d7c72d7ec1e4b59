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
either one the plan deletes first, or a conflict. Folders emptied by the deletions are removed,
unless they were the user's at ``begin`` (git cannot store an empty folder, so those are listed
at ``begin``); a folder in the way that holds one of those is a conflict.

A plan is applied whole or not at all. Every new content is first staged into a temporary file
beside its destination and checked against the object's id, read back from the disk; only then
are the old entries renamed aside (never deleted yet), the staged ones renamed into place, and,
once every step has worked, the set-aside entries removed. A failure at any step (a full disk, a
write-protected folder) renames everything back and names the file that failed. Renaming, not
rewriting, also means a file with several hard links keeps its content under its other names.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from recorder.acid.errors import GitCommandFailedError
from recorder.acid.gitrunner import ObjectReader
from recorder.acid.layout import RepositoryLayout
from recorder.acid.models import RollbackPlan, Snapshot
from recorder.acid.restore_journal import RestoreJournal, discard, remove_empty_folders
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
    may_delete: Callable[[TreeChange], bool],
    protected_folder: Callable[[str], bool] = lambda folder: False,
) -> FilePlan:
    """Sort the differences (current -> target) into writes, deletions, kept files and conflicts.

    ``protected_folder`` names the user's folders that must never be removed (those empty at
    ``begin``); one standing where the target has a file is a conflict.
    """
    plan = FilePlan()
    for change in changes:
        check_relative_path(change.path, layout.scope)
        if change.status != "D":
            plan.writes.append(change)
        elif may_delete(change):
            plan.deletes.append(change)
        else:
            plan.keep.append(change.path)
    deleted = {change.path for change in plan.deletes}
    conflicts: set[str] = set()
    for change in plan.writes:
        conflicts.update(_obstacles(layout.top, change, deleted, protected_folder))
    plan.conflicts = sorted(conflicts)
    return plan


def _obstacles(top: Path, change: TreeChange, deleted: set[str], protected_folder: Callable[[str], bool]) -> list[str]:
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
        return [] if _folder_will_empty(top, change.path, deleted, protected_folder) else [change.path]
    if change.status == "A":
        return [change.path]  # a file no snapshot knows (ignored, or appeared meanwhile)
    return []


def _folder_will_empty(top: Path, folder: str, deleted: set[str], protected_folder: Callable[[str], bool]) -> bool:
    """True when every file and link under ``folder`` is one the plan deletes, and no folder
    under it is one the user had empty at ``begin``."""
    for root, dirs, files in os.walk(top / folder):
        if protected_folder(Path(root).relative_to(top).as_posix()):
            return False
        links = [name for name in dirs if os.path.islink(os.path.join(root, name))]
        for name in (*files, *links):
            if (Path(root) / name).relative_to(top).as_posix() not in deleted:
                return False
    return True


class RestoreError(Exception):
    """Applying a plan failed at ``path`` (workspace-relative); ``undone`` is True when every
    entry was put back as it was, False when some of them could not be."""

    def __init__(self, path: str, cause: BaseException, *, undone: bool) -> None:
        reason = cause.strerror if isinstance(cause, OSError) and cause.strerror else str(cause)
        super().__init__(f"{path}: {reason or type(cause).__name__}")
        self.path = path
        self.reason = reason or type(cause).__name__
        self.undone = undone


ObjectSource = Callable[[], ObjectReader]


@dataclass
class _Staged:
    """A new entry written beside its destination, waiting to be renamed into place."""

    change: TreeChange
    temp: Path


@dataclass
class _Journal:
    """The renames and folders made so far, to be reversed if a later step fails."""

    written: RestoreJournal | None = None  # the same steps on disk, for a process killed half-way
    undo: list[Callable[[], None]] = field(default_factory=list)
    set_aside: list[Path] = field(default_factory=list)

    def rename(self, source: Path, destination: Path, *, aside: bool = False) -> None:
        if self.written is not None:
            self.written.renaming(source, destination, aside=aside)
        os.rename(source, destination)
        self.undo.append(lambda: os.rename(destination, source))

    def put_aside(self, path: Path) -> None:
        aside = _beside(path, "old")
        self.rename(path, aside, aside=True)
        self.set_aside.append(aside)

    def mkdir(self, path: Path) -> None:
        if self.written is not None:
            self.written.making(path)
        path.mkdir()
        self.undo.append(path.rmdir)

    def roll_back(self) -> bool:
        """Reverse every step, newest first; True when each one worked."""
        complete = True
        for step in reversed(self.undo):
            try:
                step()
            except OSError:
                complete = False
        self.undo.clear()
        return complete


def apply_plan(
    layout: RepositoryLayout,
    plan: FilePlan,
    objects: ObjectSource,
    keep_folder: Callable[[str], bool],
    written: RestoreJournal,
) -> None:
    """Carry out a conflict-free plan, all of it or none of it (see the module notes).

    ``objects`` gives the object reader to use; it is asked again after a failure, so a reader
    left out of step by an error is never used twice. Each step is written to ``written`` before
    it is taken, so a process killed half-way is put right later (``restore_journal``); the
    caller finishes the journal. Raises ``RestoreError``.
    """
    if plan.conflicts:
        raise ValueError("a plan with conflicts cannot be applied")
    _apply(layout, plan, objects, keep_folder, _Journal(written))


def _apply(
    layout: RepositoryLayout,
    plan: FilePlan,
    objects: ObjectSource,
    keep_folder: Callable[[str], bool],
    journal: _Journal,
) -> None:
    top = layout.top
    writes = sorted(plan.writes, key=lambda c: c.path)
    staged: list[_Staged] = []
    current = ""
    try:
        for change in writes:
            current = change.path
            staged.append(_stage(top, change, objects, layout.object_format, journal.written))
        emptied: set[str] = set()
        for change in plan.deletes:
            current = change.path
            target = top / change.path
            info = _lstat(target)
            if info is not None and not stat.S_ISDIR(info.st_mode) and _inside_real_folders(top, change.path):
                journal.put_aside(target)
            emptied.update(_ancestors(change.path, layout.scope))
        for entry in staged:
            current = entry.change.path
            target = top / current
            info = _lstat(target)
            if info is not None:
                journal.put_aside(target)  # a file, link, or a folder the deletions emptied
            _make_parents(top, current, journal)
            journal.rename(entry.temp, target)
    except BaseException as exc:
        undone = journal.roll_back()
        discard(entry.temp for entry in staged)
        if isinstance(exc, (OSError, ValueError, GitCommandFailedError)):
            raise RestoreError(layout.to_workspace(current), exc, undone=undone) from exc
        raise
    deepest_first = sorted(emptied, key=lambda path: path.count("/"), reverse=True)
    removable = [top / folder for folder in deepest_first if not keep_folder(folder)]
    if journal.written is not None:
        journal.written.applied(removable)
    discard(journal.set_aside)
    remove_empty_folders(removable)


def _stage(
    top: Path, change: TreeChange, objects: ObjectSource, object_format: str, written: RestoreJournal | None
) -> _Staged:
    """Write the change's new entry beside its destination and check it; nothing else is touched."""
    temp = _beside(top / change.path, "new", within=_nearest_folder(top, change.path))
    if written is not None:
        written.staged(temp)
    try:
        return _write_staged(top / change.path, temp, change, objects, object_format)
    except BaseException:
        discard([temp])  # half-written: the disk filled up, the folder is read-only...
        raise


def _write_staged(target: Path, temp: Path, change: TreeChange, objects: ObjectSource, object_format: str) -> _Staged:
    if change.new_mode == SYMLINK_MODE:
        destination = os.fsdecode(objects().read_blob(change.new_oid))
        os.symlink(destination, temp)
        if os.readlink(temp) != destination:
            raise OSError(errno.EIO, "the link read back differs from the one written", str(target))
        return _Staged(change, temp)
    info = _lstat(target)
    executable = change.new_mode == EXECUTABLE_MODE
    existing = info is not None and stat.S_ISREG(info.st_mode)
    create_mode = 0o777 if executable else 0o666  # the umask applies, as for any new file
    fd = os.open(temp, _WRITE_FLAGS | os.O_CREAT | os.O_EXCL, 0o600 if existing else create_mode)
    try:
        digest = _blob_hash(object_format, change.new_oid, objects, fd)
        if existing:
            assert info is not None
            os.fchmod(fd, _kept_mode(info, executable))
            if info.st_uid != os.geteuid() or info.st_gid != os.getegid():
                with contextlib.suppress(OSError):
                    os.fchown(fd, info.st_uid, info.st_gid)  # possible only for root: keep the owner
    finally:
        os.close(fd)
    if digest != change.new_oid or _file_hash(object_format, temp) != change.new_oid:
        raise OSError(errno.EIO, "the content read back differs from the snapshot's", str(target))
    return _Staged(change, temp)


def _blob_hash(object_format: str, oid: str, objects: ObjectSource, fd: int) -> str:
    """Stream the blob into ``fd``; return git's id of the bytes as they came."""
    reader = objects()
    chunks: list[bytes] = []

    def sink(chunk: bytes) -> None:
        view = memoryview(chunk)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        chunks.append(chunk)

    size = reader.copy_blob(oid, sink)
    hasher = hashlib.new(object_format, b"blob %d\0" % size)
    for chunk in chunks:
        hasher.update(chunk)
    return hasher.hexdigest()


def _file_hash(object_format: str, path: Path) -> str:
    """Git's id of a file's bytes as they are on the disk now."""
    size = os.lstat(path).st_size
    hasher = hashlib.new(object_format, b"blob %d\0" % size)
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            hasher.update(chunk)
    return hasher.hexdigest()


def _nearest_folder(top: Path, path: str) -> Path:
    """The deepest real folder on the way to ``path``: staging there keeps the rename on one disk."""
    current = top
    for part in path.split("/")[:-1]:
        info = _lstat(current / part)
        if info is None or not stat.S_ISDIR(info.st_mode):
            break
        current = current / part
    return current


# What staged and set-aside entries are called; snapshots leave them out (``STAGING_EXCLUDES``),
# so one left by a killed process is never snapshotted, restored or taken for the agent's work.
_STAGING_PREFIX = ".vcr-tui-"
STAGING_EXCLUDES = (f"{_STAGING_PREFIX}new-*", f"{_STAGING_PREFIX}old-*")


def _beside(path: Path, role: str, *, within: Path | None = None) -> Path:
    """A fresh hidden name for a staged (``new``) or set-aside (``old``) entry."""
    folder = path.parent if within is None else within
    return folder / f"{_STAGING_PREFIX}{role}-{secrets.token_hex(6)}"


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


def _make_parents(top: Path, path: str, journal: _Journal) -> None:
    current = top
    for part in path.split("/")[:-1]:
        current = current / part
        info = _lstat(current)
        if info is None:
            journal.mkdir(current)
        elif not stat.S_ISDIR(info.st_mode):
            raise NotADirectoryError(errno.ENOTDIR, "expected a folder, found something else", str(current))


def _kept_mode(info: os.stat_result, executable: bool) -> int:
    """The file's own permissions with git's executable bit applied, as git itself does."""
    mode = stat.S_IMODE(info.st_mode)
    if executable:
        return mode | ((mode & 0o444) >> 2)
    return mode & ~0o111


_WRITE_FLAGS = os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
