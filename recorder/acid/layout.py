"""Where a workspace's repository, index, objects and private state live.

A folder inside a git work tree uses that repository: snapshots go into its object store and
under ``refs/vcr/``, private state into ``<git dir>/vcr-tui/`` (the per-worktree git dir, so two
``git worktree`` checkouts never share an index or a lock). A folder outside any repository gets
a private shadow repository under a cache folder, never inside the folder itself, so no ``.git``
ever appears among the user's files.

Repository discovery is done here by walking up to the nearest ``.git`` rather than by asking
git, because git would obey an inherited ``GIT_DIR`` and look somewhere else entirely.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from recorder.acid.errors import RepositoryStateError, SessionError, WorkspaceError

SHADOW_DIR_VARIABLE = "VCR_TUI_SHADOW_DIR"

# What a shadow repository leaves out unless the folder's own .gitignore says otherwise: secrets,
# environments and caches that are nobody's work and can be huge.
DEFAULT_SHADOW_EXCLUDES = (
    ".env",
    ".env.*",
    ".venv/",
    "venv/",
    "node_modules/",
    "__pycache__/",
    "*.pyc",
    ".mypy_cache/",
    ".pytest_cache/",
    ".ruff_cache/",
    ".DS_Store",
)

# Snapshots store file bytes exactly as they are on disk: no end-of-line conversion, no clean or
# smudge filter (Git LFS would otherwise turn a large file into a pointer), no keyword expansion.
# ``info/attributes`` outranks every .gitattributes in the tree, so this line wins everywhere.
RAW_CONTENT_ATTRIBUTES = "* -text -eol -crlf -filter -ident -working-tree-encoding\n"

_PRIVATE_DIR_NAME = "vcr-tui"
_BUSY_STATES = (
    ("MERGE_HEAD", "a merge", "finish it with `git commit` or abandon it with `git merge --abort`"),
    ("rebase-merge", "a rebase", "finish it with `git rebase --continue` or `git rebase --abort`"),
    ("rebase-apply", "a rebase or `git am`", "finish it (`--continue`) or abandon it (`--abort`)"),
    ("CHERRY_PICK_HEAD", "a cherry-pick", "finish it or run `git cherry-pick --abort`"),
    ("REVERT_HEAD", "a revert", "finish it or run `git revert --abort`"),
)


@dataclass(frozen=True)
class RepositoryLayout:
    """The paths one workspace works with; every one of them absolute."""

    workspace: Path
    top: Path
    scope: str
    git_dir: Path
    common_dir: Path
    index_file: Path
    object_dir: Path
    shadow: bool
    object_format: str = "sha1"

    @property
    def private_dir(self) -> Path:
        """Private state (session indexes, temporary files, locks), inside the git dir."""
        return self.git_dir / _PRIVATE_DIR_NAME

    @property
    def zero_oid(self) -> str:
        return "0" * (64 if self.object_format == "sha256" else 40)

    def to_workspace(self, path: str) -> str:
        """A path relative to the work tree's top, made relative to the workspace folder."""
        if not self.scope:
            return path
        return path[len(self.scope) + 1 :] if path.startswith(self.scope + "/") else path

    def busy_state(self) -> str | None:
        """Why the repository cannot take part now (a merge in progress...), or None."""
        for marker, what, remedy in _BUSY_STATES:
            if (self.git_dir / marker).exists():
                return f"{what} is in progress in {self.top}: {remedy}, then try again"
        return None

    def refuse_busy_state(self) -> None:
        reason = self.busy_state()
        if reason is not None:
            raise RepositoryStateError(reason)


def locate(
    path: str | os.PathLike[str],
    *,
    shadow: bool | None = None,
    shadow_dir: str | os.PathLike[str] | None = None,
    create: bool = True,
) -> RepositoryLayout:
    """The layout for the folder ``path``: its git repository, or its shadow repository.

    ``shadow=None`` uses the enclosing repository when there is one; ``True`` always uses a
    shadow repository; ``False`` refuses a folder outside any repository. ``create=False`` is for
    looking only: a shadow repository that does not exist yet raises ``SessionError`` instead of
    being made.
    """
    folder = Path(path).expanduser()
    if not folder.exists():
        raise WorkspaceError(f"the workspace folder does not exist: {folder}")
    if not folder.is_dir():
        raise WorkspaceError(f"the workspace must be a folder, and {folder} is not one")
    folder = folder.resolve()
    _refuse_git_internals(folder)
    found = None if shadow is True else find_repository(folder)
    if found is None:
        if shadow is False:
            raise WorkspaceError(f"{folder} is not inside a git repository")
        return _shadow_layout(folder, shadow_dir, create=create)
    top, git_dir = found
    scope = folder.relative_to(top).as_posix()
    scope = "" if scope == "." else scope
    if ".git" in PurePosixPath(scope).parts:
        raise WorkspaceError(f"{folder} is inside a repository's .git folder, not in its files")
    common_dir = _common_dir(git_dir)
    if _config_value(common_dir / "config", "core", "bare") == "true":
        raise RepositoryStateError(_bare_refusal(common_dir))
    return RepositoryLayout(
        workspace=folder,
        top=top,
        scope=scope,
        git_dir=git_dir,
        common_dir=common_dir,
        index_file=git_dir / "index",
        object_dir=common_dir / "objects",
        shadow=False,
        object_format=_object_format(common_dir / "config"),
    )


def find_repository(folder: Path) -> tuple[Path, Path] | None:
    """``(work tree top, git dir)`` of the nearest enclosing repository, if any."""
    for candidate in (folder, *folder.parents):
        dot_git = candidate / ".git"
        if dot_git.is_dir() and (dot_git / "HEAD").is_file():
            return candidate, dot_git.resolve()
        if dot_git.is_file():
            target = _read_gitfile(dot_git)
            if target is not None:
                return candidate, target
    return None


def _read_gitfile(dot_git: Path) -> Path | None:
    """The git dir a ``.git`` file points at (linked worktrees and submodules use one)."""
    try:
        text = dot_git.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return None
    match = re.match(r"gitdir: (.+)", text.strip())
    if match is None:
        return None
    target = Path(match.group(1))
    if not target.is_absolute():
        target = dot_git.parent / target
    target = target.resolve()
    return target if (target / "HEAD").is_file() else None


def _common_dir(git_dir: Path) -> Path:
    pointer = git_dir / "commondir"
    if pointer.is_file():
        relative = pointer.read_text(encoding="utf-8", errors="surrogateescape").strip()
        return (git_dir / relative).resolve()
    return git_dir


def _object_format(config: Path) -> str:
    """``sha256`` for repositories created with that object format, else ``sha1``."""
    return _config_value(config, "extensions", "objectformat") or "sha1"


def _config_value(config: Path, section: str, name: str) -> str | None:
    """One plain ``[section] name = value`` of a git config file, lower-cased; None when absent.

    Read by hand because git itself would be steered by inherited variables (see the module notes).
    """
    try:
        text = config.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    in_section = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            in_section = line[1:].split("]")[0].strip().lower() == section
        elif in_section and "=" in line:
            key, _, value = line.partition("=")
            if key.strip().lower() == name:
                return value.strip().strip('"').lower()
    return None


def _is_git_dir(folder: Path) -> bool:
    """True for a repository's own folder (bare, or a ``.git``): HEAD, objects and refs, as git checks."""
    return (folder / "HEAD").is_file() and (folder / "objects").is_dir() and (folder / "refs").is_dir()


def _refuse_git_internals(folder: Path) -> None:
    """Refuse a bare repository, or a folder inside one or inside a ``.git``: they hold no work tree."""
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return  # a work tree's top: its files are fair game
        if not _is_git_dir(candidate):
            continue
        if candidate.name != ".git" and _config_value(candidate / "config", "core", "bare") != "false":
            raise RepositoryStateError(_bare_refusal(candidate))
        raise WorkspaceError(f"{folder} is inside a repository's .git folder, not in its files")


def _bare_refusal(git_dir: Path) -> str:
    return (
        f"{git_dir} is a bare repository: it has no working files to snapshot or roll back; "
        "run the agent in a clone of it (git clone, or git worktree add) and use that folder"
    )


# -- shadow repositories -------------------------------------------------------------------------


def shadow_root(shadow_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where shadow repositories live: the argument, ``$VCR_TUI_SHADOW_DIR``, or the user cache."""
    if shadow_dir is not None:
        return Path(shadow_dir).expanduser().resolve()
    configured = os.environ.get(SHADOW_DIR_VARIABLE)
    if configured:
        return Path(configured).expanduser().resolve()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return (Path(cache) / "vcr-tui" / "shadow").resolve()


def _shadow_layout(folder: Path, shadow_dir: str | os.PathLike[str] | None, *, create: bool) -> RepositoryLayout:
    root = shadow_root(shadow_dir)
    if root == folder or folder in root.parents:
        raise WorkspaceError(
            f"the shadow repository folder {root} is inside the workspace {folder}; "
            f"point {SHADOW_DIR_VARIABLE} (or shadow_dir) somewhere outside it"
        )
    if root in folder.parents:
        raise WorkspaceError(f"the workspace {folder} is inside the shadow repository folder {root}")
    digest = hashlib.sha256(os.fsencode(folder)).hexdigest()[:16]
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", folder.name).strip("._")[:40] or "root"
    git_dir = root / f"{name}-{digest}.git"
    if not (git_dir / "HEAD").is_file():
        if not create:
            raise SessionError(f"no session was ever begun in {folder}")
        _create_shadow_repository(git_dir, folder)
    return RepositoryLayout(
        workspace=folder,
        top=folder,
        scope="",
        git_dir=git_dir,
        common_dir=git_dir,
        index_file=git_dir / "index",
        object_dir=git_dir / "objects",
        shadow=True,
    )


def _create_shadow_repository(git_dir: Path, folder: Path) -> None:
    """Lay out a repository by hand in a temporary folder, then move it into place at once.

    Two processes creating the same shadow repository race harmlessly: the loser's rename fails
    and it uses the winner's.
    """
    git_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".creating-", dir=git_dir.parent))
    try:
        for sub in ("objects/info", "objects/pack", "refs/heads", "refs/tags", "info"):
            (staging / sub).mkdir(parents=True)
        (staging / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
        (staging / "config").write_text(
            "[core]\n"
            "\trepositoryformatversion = 0\n"
            "\tfilemode = true\n"
            "\tbare = false\n"
            f"\tworktree = {config_value(os.fsdecode(folder))}\n"
            "\tautocrlf = false\n",
            encoding="utf-8",
            errors="surrogateescape",
        )
        (staging / "info" / "attributes").write_text(RAW_CONTENT_ATTRIBUTES, encoding="utf-8")
        (staging / "info" / "exclude").write_text(
            "# Left out of snapshots of this folder (the folder's own .gitignore files apply too).\n"
            + "".join(f"{pattern}\n" for pattern in DEFAULT_SHADOW_EXCLUDES),
            encoding="utf-8",
        )
        (staging / "description").write_text(
            f"vcr-tui shadow repository of {os.fsdecode(folder)}\n", encoding="utf-8", errors="surrogateescape"
        )
        try:
            staging.rename(git_dir)
        except OSError:
            if not (git_dir / "HEAD").is_file():
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def config_value(text: str) -> str:
    """``text`` quoted for a git config file."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def exclude_pattern(relative_dir: str, suffix: str = "") -> str:
    """An anchored ignore pattern matching exactly ``relative_dir`` (+ ``suffix``), wildcards escaped."""
    escaped = re.sub(r"([*?\[\]\\!#])", r"\\\1", relative_dir)
    if escaped.endswith(" "):
        escaped = escaped[:-1] + "\\ "
    return f"/{escaped}{suffix}"
