"""Landing a session's changes as one commit on the user's current branch.

Only the files the session changed (between the ``begin`` snapshot and now) go into the commit,
on top of whatever HEAD is now; the user's other uncommitted work stays uncommitted and their
other staged files stay staged. The commit is built in a temporary index from HEAD's tree, with
the files hashed through the repository's own filters (so Git LFS pointers and end-of-line
normalisation come out exactly as ``git add`` would make them), then the branch is moved with a
compare-and-swap on its old value. The user's index gets the committed entries for those files
only, so ``git status`` shows them clean and nothing else changes.

The steps are ordered so that a process killed at any point leaves nothing a plain ``git commit``
would turn into a revert of the session's work: the commit is made and named under the session's
``landing`` ref, then the user's index gets its entries, and only then does HEAD move. Killed
before HEAD moved, the index holds the session's work staged (committing it is right, not wrong);
the next ``attach`` sees the ``landing`` ref and finishes the job (``finish_landing``).

Commit hooks do not run: the commit is made with plumbing, as a rebase or a merge tool would.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from recorder.acid.errors import GitCommandFailedError, RepositoryStateError, WorkspaceError
from recorder.acid.gitrunner import GitRunner, argument_chunks, command_failed
from recorder.acid.layout import RepositoryLayout
from recorder.acid.snapshots import temporary_index
from recorder.acid.trees import SYMLINK_MODE, TreeChange

SESSION_TRAILER = "vcr-tui-session"


@dataclass(frozen=True)
class HeadState:
    """Where HEAD points: a branch (``refs/heads/...``) or nothing (detached), and its commit."""

    branch: str | None
    commit: str | None

    @property
    def branch_name(self) -> str | None:
        return self.branch.removeprefix("refs/heads/") if self.branch else None


def read_head(git: GitRunner) -> HeadState:
    branch = git.optional_text("symbolic-ref", "-q", "HEAD")
    commit = git.optional_text("rev-parse", "--verify", "-q", "HEAD^{commit}")
    return HeadState(branch=branch, commit=commit)


def unmerged_paths(git: GitRunner) -> list[str]:
    return git.nul_separated("ls-files", "-z", "--unmerged")


def commit_message(session_id: str, message: str | None, changes: list[TreeChange]) -> str:
    """The message, always ending with a trailer that names the session."""
    if message and message.strip():
        body = message.strip()
    else:
        counts = {
            status: sum(1 for c in changes if c.kind.value == status) for status in ("added", "modified", "deleted")
        }
        summary = ", ".join(f"{count} {status}" for status, count in counts.items() if count)
        body = f"Apply the changes of session {session_id}\n\n{summary or 'no file changes'}."
    return f"{body}\n\n{SESSION_TRAILER}: {session_id}\n"


def staged_paths(git: GitRunner, head: str | None) -> list[str]:
    """Files whose staged version differs from HEAD (all staged files on an unborn branch)."""
    base = head or empty_tree(git)
    return git.nul_separated("diff-index", "--cached", "-z", "--name-only", "--no-renames", base)


def empty_tree(git: GitRunner) -> str:
    return git.text("hash-object", "-t", "tree", "--stdin", stdin=b"")


def land(
    git: GitRunner,
    layout: RepositoryLayout,
    changes: list[TreeChange],
    head: HeadState,
    message: str,
    *,
    mark: Callable[[str], None],
    fallback_identity: Mapping[str, str] | None = None,
) -> str | None:
    """Make the commit and move HEAD to it; None when the files already match HEAD.

    ``mark`` is given the new commit before anything the user sees changes (see the module notes).
    ``fallback_identity`` is used when git knows no user name or e-mail (a shadow repository's
    history needs no real author); without it, that case is an error saying how to fix it.
    """
    paths = [change.path for change in changes]
    with temporary_index(layout) as temp:
        env = {"GIT_INDEX_FILE": str(temp)}
        if head.commit:
            git.run("read-tree", head.commit, env=env)
        else:
            git.run("read-tree", "--empty", env=env)
        entries = _index_entries(git, layout, changes)
        git.run("update-index", "-z", "--index-info", stdin=entries, env=env)
        tree = git.text("write-tree", env=env)
        if head.commit and tree == git.text("rev-parse", f"{head.commit}^{{tree}}"):
            return None
        commit = _commit_tree(git, tree, head, message, fallback_identity)
        mark(commit)
        before = _index_records(git, paths, None)
        _sync_user_index(git, layout, paths, temp)
    try:
        _move_head(git, layout, head.commit, commit)
    except (RepositoryStateError, GitCommandFailedError):
        _put_index_back(git, layout, paths, before)
        raise
    _refresh_user_index(git)
    return commit


def finish_landing(git: GitRunner, layout: RepositoryLayout, commit: str) -> bool:
    """Complete a commit whose process was stopped after ``mark``; True when it is on HEAD now.

    HEAD still on the commit's parent: the index is given the commit's entries and HEAD moves.
    HEAD already on the commit: only the index is brought in step. HEAD anywhere else: someone
    moved on meanwhile, and nothing is touched (False).
    """
    parent = git.optional_text("rev-parse", "--verify", "-q", f"{commit}^1")
    head = read_head(git).commit
    if head not in (parent, commit):
        return False
    if parent:
        paths = git.nul_separated("diff-tree", "-r", "-z", "--no-renames", "--name-only", parent, commit)
    else:
        paths = git.nul_separated("ls-tree", "-r", "-z", "--name-only", commit)
    with temporary_index(layout) as temp:
        git.run("read-tree", commit, env={"GIT_INDEX_FILE": str(temp)})
        _sync_user_index(git, layout, paths, temp)
    if head != commit:
        _move_head(git, layout, parent, commit)
    _refresh_user_index(git)
    return True


def _index_entries(git: GitRunner, layout: RepositoryLayout, changes: list[TreeChange]) -> bytes:
    """``--index-info`` lines: removals first (so a file can replace a folder), then additions.

    Regular files are hashed from disk through the repository's filters; symbolic links keep the
    snapshot's blob (a link's content is its target, which no filter touches).
    """
    removals = [c for c in changes if c.status == "D"]
    additions = [c for c in changes if c.status != "D"]
    lines = [b"0 " + layout.zero_oid.encode() + b"\t" + os.fsencode(c.path) + b"\0" for c in removals]
    files = [c for c in additions if c.new_mode != SYMLINK_MODE]
    hashed: list[str] = []
    if files:
        listing = b"".join(os.fsencode(c.path) + b"\n" for c in files)
        if any("\n" in c.path for c in files):
            raise WorkspaceError("a file name containing a line break cannot be committed this way")
        hashed = git.text("hash-object", "-w", "--stdin-paths", stdin=listing).split("\n")
    blobs = dict(zip((c.path for c in files), hashed, strict=True))
    for change in additions:
        oid = blobs.get(change.path, change.new_oid)
        lines.append(f"{change.new_mode} {oid}\t".encode() + os.fsencode(change.path) + b"\0")
    return b"".join(lines)


def _commit_tree(
    git: GitRunner, tree: str, head: HeadState, message: str, fallback_identity: Mapping[str, str] | None
) -> str:
    args = ["commit-tree", tree]
    if head.commit:
        args += ["-p", head.commit]
    signing = fallback_identity is None and git.optional_text("config", "--bool", "--get", "commit.gpgSign") == "true"
    if signing:  # commit-tree ignores commit.gpgSign; the user's branch gets what they asked for
        args.append("-S")
    try:
        return git.text(*args, stdin=message.encode("utf-8"))
    except GitCommandFailedError as exc:
        if "identity" not in exc.stderr and "tell me who you are" not in exc.stderr:
            raise
        if fallback_identity is not None:
            return git.text(*args, stdin=message.encode("utf-8"), env=fallback_identity)
        raise WorkspaceError(
            "git does not know who you are, so it cannot commit: set user.name and user.email "
            '(git config user.name "Your Name"; git config user.email you@example.com)'
        ) from None


def _move_head(git: GitRunner, layout: RepositoryLayout, old_commit: str | None, commit: str) -> None:
    """Move HEAD (and the branch it names) only if nobody moved it since it was read."""
    old = old_commit or layout.zero_oid
    args = ("update-ref", "-m", "commit (vcr-tui): land a session's changes", "HEAD", commit, old)
    status, _, errors = git.run_full(*args)
    if status == 0:
        return
    if read_head(git).commit == old_commit:
        raise command_failed(args, status, errors)  # refused for another reason: a hook, a full disk
    raise RepositoryStateError(
        "HEAD moved while the commit was being made (another git command ran); nothing was committed, try again"
    )


def _index_records(git: GitRunner, paths: list[str], env: Mapping[str, str] | None) -> bytes:
    """The ``ls-files -s -z`` records of ``paths`` in the index ``env`` names (the user's by default)."""
    return b"".join(git.run("ls-files", "-s", "-z", "--", *chunk, env=env) for chunk in argument_chunks(paths))


def _index_info(layout: RepositoryLayout, paths: list[str], records: bytes) -> bytes:
    """``--index-info`` input that makes ``paths`` hold exactly ``records`` (absent ones removed)."""
    present = set()
    lines = []
    for record in records.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, oid, _stage = meta.decode("ascii").split(" ")
        present.add(os.fsdecode(raw_path))
        lines.append(f"{mode} {oid}\t".encode() + raw_path + b"\0")
    removals = [f"0 {layout.zero_oid}\t".encode() + os.fsencode(p) + b"\0" for p in paths if p not in present]
    return b"".join(removals + lines)


def _sync_user_index(git: GitRunner, layout: RepositoryLayout, paths: list[str], temp_index: Path) -> None:
    """Give the user's index the committed entries of the session's files, and only those."""
    committed = _index_records(git, paths, {"GIT_INDEX_FILE": str(temp_index)})
    try:
        git.run("update-index", "-z", "--index-info", stdin=_index_info(layout, paths, committed))
    except GitCommandFailedError as exc:
        raise WorkspaceError(f"nothing was committed: the index could not be updated ({exc})") from None


def _put_index_back(git: GitRunner, layout: RepositoryLayout, paths: list[str], records: bytes) -> None:
    """Undo ``_sync_user_index`` when HEAD could not be moved after all."""
    git.run("update-index", "-z", "--index-info", stdin=_index_info(layout, paths, records))
    _refresh_user_index(git)


def _refresh_user_index(git: GitRunner) -> None:
    """Fresh stat data, so ``git status`` does not list the files just written as changed."""
    git.run("update-index", "-q", "--refresh", accept=(0, 1))
