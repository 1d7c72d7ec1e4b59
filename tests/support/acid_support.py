"""Real git repositories for the workspace tests, and ways to compare their state.

Every repository is made in ``tmp_path`` with its own user name and e-mail; the fixture points
HOME, XDG folders and the shadow-repository folder into ``tmp_path`` and clears git variables
a developer's shell (or a git hook running the suite) could leak in, so nothing depends on the
machine's git configuration. Imported by the ``test_acid*`` modules (importing ``repo_fixture``
makes the ``repo`` fixture available there); holds no tests itself.
"""

from __future__ import annotations

import os
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

LEAKY_GIT_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
    "VCR_TUI_SHADOW_DIR",
)

# Bytes no text codec would round-trip, and a NUL, so "binary" really means binary.
BINARY = bytes(range(256)) * 8


@pytest.fixture(name="git_home")
def git_home_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty HOME and no system config: git sees only what each test configures."""
    home = tmp_path / "home"
    home.mkdir()
    for name in LEAKY_GIT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("VCR_TUI_SHADOW_DIR", str(tmp_path / "shadow"))
    return home


def git(cwd: Path, *args: str, check: bool = True, env: dict[str, str] | None = None) -> str:
    """Run the real git program in ``cwd`` and return its output."""
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr.decode(errors='replace')}")
    return result.stdout.decode("utf-8", "surrogateescape")


def init_repo(path: Path, *, branch: str = "main") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    git(path, "symbolic-ref", "HEAD", f"refs/heads/{branch}")
    git(path, "config", "user.name", "Test User")
    git(path, "config", "user.email", "test@example.com")
    git(path, "config", "commit.gpgSign", "false")
    return path


def write(path: Path, content: str | bytes, *, executable: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    if executable:
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@pytest.fixture(name="repo")
def repo_fixture(git_home: Path, tmp_path: Path) -> Path:
    """A committed project with every kind of entry, plus the user's own untracked and ignored files."""
    root = init_repo(tmp_path / "project")
    write(root / ".gitignore", ".env\nbuild/\n*.log\n")
    write(root / "README.md", "# project\n")
    write(root / "src" / "app.py", "print('app')\n")
    write(root / "src" / "lib" / "util.py", "def util():\n    return 1\n")
    write(root / "assets" / "logo.bin", BINARY)
    write(root / "run.sh", "#!/bin/sh\necho run\n", executable=True)
    write(root / "docs" / "naïve café.txt", "accents\n")
    write(root / "docs" / "with space.md", "spaces\n")
    os.symlink("src/app.py", root / "app-link")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    # The user's own work, present before any session: never to be lost.
    write(root / ".env", "SECRET=1\n")
    write(root / "build" / "cache.o", b"\x00object")
    write(root / "notes.txt", "my untracked notes\n")
    return root


def tree_state(root: Path) -> dict[str, tuple[str, bytes | str, bool]]:
    """Every file and link under ``root`` (``.git`` left out): kind, content or target, exec bit."""
    found: dict[str, tuple[str, bytes | str, bool]] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if name != ".git" or Path(folder) != root]
        for name in [*files, *(d for d in dirs if os.path.islink(os.path.join(folder, d)))]:
            full = Path(folder) / name
            relative = full.relative_to(root).as_posix()
            if full.is_symlink():
                found[relative] = ("link", os.readlink(full), False)
            else:
                found[relative] = ("file", full.read_bytes(), bool(full.stat().st_mode & stat.S_IXUSR))
        dirs[:] = [name for name in dirs if not os.path.islink(os.path.join(folder, name))]
    return found


def folders(root: Path) -> set[str]:
    """Every real folder under ``root`` (``.git`` left out), empty ones included."""
    found = set()
    for folder, dirs, _files in os.walk(root):
        dirs[:] = [name for name in dirs if name != ".git" and not os.path.islink(os.path.join(folder, name))]
        found.update((Path(folder) / name).relative_to(root).as_posix() for name in dirs)
    return found


@dataclass(frozen=True)
class GitState:
    """What the user sees of git: HEAD, the branch, the index file byte for byte, and status."""

    head: str
    branch: str
    index: bytes
    status: str
    stash: str


def git_state(root: Path) -> GitState:
    git_dir = Path(git(root, "rev-parse", "--absolute-git-dir").strip())
    index = git_dir / "index"
    return GitState(
        head=git(root, "rev-parse", "--verify", "-q", "HEAD", check=False).strip(),
        branch=git(root, "symbolic-ref", "-q", "HEAD", check=False).strip(),
        index=index.read_bytes() if index.exists() else b"",
        # Read-only status: with optional locks off it never refreshes (rewrites) the index.
        status=git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", env={"GIT_OPTIONAL_LOCKS": "0"}),
        stash=git(root, "stash", "list"),
    )


def private_refs(root: Path) -> str:
    return git(root, "for-each-ref", "refs/vcr/")
