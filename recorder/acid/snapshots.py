"""Taking a snapshot of the workspace without touching the user's index, HEAD or files.

The snapshot goes through a private git dir made for the session (``sessions/<key>/gitdir``). It
has no objects of its own: ``GIT_OBJECT_DIRECTORY`` points at the repository's object store, so
blobs land where ``refs/vcr/`` keeps them alive. What it adds is control:

- ``info/attributes`` switches off every conversion, so the bytes stored are the bytes on disk;
- ``info/exclude`` is the repository's, plus the recording folder (a recording is evidence, and
  a rollback must never put an older copy of it back);
- its config includes the repository's own, so ``core.excludesFile``, ``core.symlinks`` and the
  like behave as they do for the user.

Each snapshot copies the session's warm index (whose stat data lets ``git add -A`` skip
unchanged files) to a fresh temporary file, stages into that, writes the tree and only then
renames the copy over the warm index. A process killed at any point leaves at worst a stray
temporary file (removed by the next ``begin``) and some unreferenced objects (pruned by
``git gc``); the warm index, the user's index and the user's files are never half-written.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from recorder.acid.gitrunner import GitRunner, argument_chunks, command_failed
from recorder.acid.layout import RAW_CONTENT_ATTRIBUTES, RepositoryLayout, config_value
from recorder.acid.processes import process_alive
from recorder.acid.restore import STAGING_EXCLUDES

SNAPSHOT_IDENTITY = {
    "GIT_AUTHOR_NAME": "vcr-tui",
    "GIT_AUTHOR_EMAIL": "vcr-tui@localhost",
    "GIT_COMMITTER_NAME": "vcr-tui",
    "GIT_COMMITTER_EMAIL": "vcr-tui@localhost",
}
_TEMP_PREFIX = "index."
_STALE_AGE_SECONDS = 24 * 3600


class SnapshotMaker:
    """Writes trees and commits of the workspace's current files."""

    def __init__(
        self,
        layout: RepositoryLayout,
        session_dir: Path,
        *,
        excludes: Sequence[str] = (),
        force_paths: Sequence[str] = (),
    ) -> None:
        self.layout = layout
        self.git_dir = session_dir / "gitdir"
        self.warm_index = session_dir / "index"
        self.force_paths = tuple(force_paths)
        prepare_snapshot_gitdir(layout, self.git_dir, excludes)
        self.git = GitRunner(
            layout.top,
            git_dir=self.git_dir,
            common_dir=self.git_dir,
            index_file=self.warm_index,
            object_dir=layout.object_dir,
            extra_environment=SNAPSHOT_IDENTITY,
        )

    def tree(self) -> str:
        """The tree of the workspace's files as they are now (ignored files left out)."""
        with temporary_index(self.layout) as temp:
            if self.warm_index.exists():
                shutil.copyfile(self.warm_index, temp)
            env = {"GIT_INDEX_FILE": str(temp)}
            self._stage_everything(env)
            present = [path for path in self.force_paths if os.path.lexists(self.layout.top / path)]
            for chunk in argument_chunks(present):
                self.git.run("add", "-f", "--", *chunk, env=env)
            tree = self.git.text("write-tree", env=env)
            os.replace(temp, self.warm_index)
        return tree

    def _stage_everything(self, env: dict[str, str]) -> None:
        """``git add -A``, tolerating only nested repositories that have no commit yet.

        git cannot record those (a nested repository is stored as a pointer to its commit), and
        must not stop every savepoint because an agent ran ``git init`` somewhere; they are left
        out of snapshots like any other nested repository. Any other error fails the savepoint.
        """
        args = ("add", "-A", "--ignore-errors", "--", self.layout.scope or ".")
        status, _, errors = self.git.run_full(*args, env=env)
        if status == 0:
            return
        problems = [
            line
            for line in errors.splitlines()
            if line.startswith(("error:", "fatal:"))
            and "does not have a commit checked out" not in line
            and "adding files failed" not in line
        ]
        if status != 1 or problems:
            raise command_failed(args, status, errors)

    def commit(self, tree: str, parents: Iterable[str], message: str) -> str:
        """A commit of ``tree``; never signed, with a fixed identity (it never lands on a branch)."""
        args = ["commit-tree", "--no-gpg-sign", tree]
        for parent in parents:
            args += ["-p", parent]
        return self.git.text(*args, stdin=message.encode("utf-8"))

    def ignored_now(self) -> list[str]:
        """Files and folders git ignores in the workspace now (folders end with ``/``)."""
        return self.git.nul_separated(
            "ls-files",
            "-z",
            "--others",
            "--ignored",
            "--exclude-standard",
            "--directory",
            "--",
            self.layout.scope or ".",
        )

    def empty_folders_now(self) -> list[str]:
        """Folders holding nothing git would snapshot (git cannot store them; a rollback keeps them).

        git names only the outermost such folder (``a/`` for an empty ``a/b/c``), so the folders
        inside each one are listed too: every one of them is the user's.
        """
        found = self.git.nul_separated(
            "ls-files", "-z", "--others", "--exclude-standard", "--directory", "--", self.layout.scope or "."
        )
        folders: list[str] = []
        for path in found:
            if not path.endswith("/"):
                continue
            outer = path.rstrip("/")
            folders.append(outer)
            for root, dirs, _files in os.walk(self.layout.top / outer):
                dirs[:] = [name for name in dirs if not os.path.islink(os.path.join(root, name))]
                folders.extend((Path(root) / name).relative_to(self.layout.top).as_posix() for name in dirs)
        return folders

    def close(self) -> None:
        self.git.close()


def prepare_snapshot_gitdir(layout: RepositoryLayout, git_dir: Path, excludes: Sequence[str]) -> None:
    """(Re)write the session's private git dir; cheap, so done on every begin and attach."""
    for sub in ("objects", "refs", "info"):
        (git_dir / sub).mkdir(parents=True, exist_ok=True)
    (git_dir / "HEAD").write_text("ref: refs/heads/vcr-snapshots\n", encoding="utf-8")
    includes = [layout.common_dir / "config"]
    if layout.git_dir != layout.common_dir:
        includes.append(layout.git_dir / "config.worktree")
    sha256 = layout.object_format == "sha256"
    lines = ["[include]"]
    lines += [f"\tpath = {config_value(os.fsdecode(path))}" for path in includes]
    lines += [
        "[core]",
        f"\trepositoryformatversion = {1 if sha256 else 0}",
        "\tbare = false",
        "\tautocrlf = false",
        "\tsafecrlf = false",
        "\tfsmonitor = false",
        "\tsplitIndex = false",
        "\tsparseCheckout = false",
        "[index]",
        "\tsparse = false",
        "[gc]",
        "\tauto = 0",
    ]
    if sha256:
        lines += ["[extensions]", "\tobjectformat = sha256"]
    _write_if_changed(git_dir / "config", "\n".join(lines) + "\n")
    _write_if_changed(git_dir / "info" / "attributes", RAW_CONTENT_ATTRIBUTES)
    try:
        repository_excludes = (layout.common_dir / "info" / "exclude").read_text(
            encoding="utf-8", errors="surrogateescape"
        )
    except OSError:
        repository_excludes = ""
    extra = "".join(f"{pattern}\n" for pattern in (*STAGING_EXCLUDES, *excludes))
    if repository_excludes and not repository_excludes.endswith("\n"):
        repository_excludes += "\n"
    _write_if_changed(git_dir / "info" / "exclude", repository_excludes + "# vcr-tui\n" + extra)


@contextlib.contextmanager
def temporary_index(layout: RepositoryLayout) -> Iterator[Path]:
    """A fresh name for a temporary index, removed afterwards with git's lock file beside it.

    The name carries the process id, so ``remove_stale_temporaries`` can tell one that a dead
    process left behind from one still in use.
    """
    temp_dir = layout.private_dir / "tmp"
    temp_dir.mkdir(parents=True, exist_ok=True)
    temp = temp_dir / f"{_TEMP_PREFIX}{os.getpid()}.{secrets.token_hex(6)}"
    try:
        yield temp
    finally:
        for leftover in (temp, temp.with_name(temp.name + ".lock")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def remove_stale_temporaries(layout: RepositoryLayout) -> list[Path]:
    """Delete temporary indexes left by processes that died mid-snapshot; return what went."""
    removed: list[Path] = []
    temp_dir = layout.private_dir / "tmp"
    try:
        entries = list(temp_dir.iterdir())
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not entry.name.startswith(_TEMP_PREFIX):
            continue
        pid_text = entry.name[len(_TEMP_PREFIX) :].split(".")[0]
        pid = int(pid_text) if pid_text.isdigit() else -1
        try:
            old = now - entry.lstat().st_mtime > _STALE_AGE_SECONDS
        except OSError:
            continue
        if pid == os.getpid() and not old:
            continue
        if old or not process_alive(pid):
            with contextlib.suppress(OSError):
                entry.unlink()
                removed.append(entry)
    return removed


def _write_if_changed(path: Path, text: str) -> None:
    data = text.encode("utf-8", "surrogateescape")
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    temp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)
