"""Which recordings a process still holds open for writing: the honest test for "running".

A file that stopped growing may belong to an agent that is thinking, or to one that died. The
kernel knows which: a live writer holds a descriptor open with write access. On Linux that is
readable from ``/proc`` for the processes the user may inspect; elsewhere nothing is known and
the answer is empty (callers then fall back to what the file says).
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Protocol, TypeVar

_PROC = Path("/proc")
_WRITE_MODES = (os.O_WRONLY, os.O_RDWR)
_Found_co = TypeVar("_Found_co", covariant=True)
_Found = TypeVar("_Found")


def held_for_writing(
    paths: Iterable[Path], *, exclude_self: bool = False, links: Collection[Path] | None = None
) -> set[Path]:
    """The members of ``paths`` that some process holds open with write access.

    ``exclude_self`` leaves out this process's own descriptors (a viewer that records nothing
    has none, but a test that writes and views in one process does). ``links`` are the members
    that are symbolic links, when the caller knows already (a folder listing does): each path is
    then not looked at again to find out.
    """
    wanted: dict[str, Path] = {}
    folders: dict[str, str] = {}  # a folder resolved once: thousands of files share one
    for path in paths:
        try:
            folder, name = os.path.split(os.fspath(path))
            if (os.path.islink(path) if links is None else path in links) or name in ("", ".", ".."):
                wanted[os.path.realpath(path)] = path
                continue
            real_folder = folders.get(folder)
            if real_folder is None:
                real_folder = folders[folder] = os.path.realpath(folder or ".")
            wanted[os.path.join(real_folder, name)] = path
        except OSError:
            continue
    return _held(wanted, exclude_self) if wanted else set()


def held_in_folder(folder: Path, names: Collection[str], *, links: Collection[str] = ()) -> set[str]:
    """Which of the files ``names`` directly in ``folder`` some process holds open for writing;
    ``links`` are those of them that are symbolic links.

    ``held_for_writing`` for a whole folder listing: the work per file is one set lookup for each
    file a process has open, not a path made for each file in the folder, so ten thousand
    recordings cost what the open files do.
    """
    if not names:
        return set()
    try:
        real_folder = os.path.realpath(folder)
        linked = {os.path.realpath(os.path.join(folder, name)): name for name in links}
    except OSError:
        return set()
    return _held(_InFolder(real_folder, names, linked), exclude_self=False)


class _InFolder:
    """The name of the folder's file an open descriptor's target is, if it is one (the lookup
    ``_held`` makes for each descriptor)."""

    def __init__(self, real_folder: str, names: Collection[str], linked: dict[str, str]) -> None:
        self._prefix = real_folder.rstrip("/") + "/"
        self._names = names
        self._linked = linked

    def get(self, target: str) -> str | None:
        name = target[len(self._prefix) :] if target.startswith(self._prefix) else ""
        if name and "/" not in name and name in self._names:
            return name
        return self._linked.get(target)


class _Targets(Protocol[_Found_co]):
    def get(self, target: str, /) -> _Found_co | None: ...


def _held(wanted: _Targets[_Found], exclude_self: bool) -> set[_Found]:
    """What ``wanted`` makes of the targets of the descriptors that processes hold open for writing."""
    if not _PROC.is_dir():
        return set()
    me = str(os.getpid())
    found: set[_Found] = set()
    try:
        pids = [entry for entry in os.listdir(_PROC) if entry.isdigit()]
    except OSError:
        return set()
    for pid in pids:
        if exclude_self and pid == me:
            continue
        fd_dir = f"/proc/{pid}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:  # gone, or not ours to look at
            continue
        for fd in fds:
            try:
                target = os.readlink(f"{fd_dir}/{fd}")
            except OSError:
                continue
            match = wanted.get(target)
            if match is not None and match not in found and _writable(pid, fd):
                found.add(match)
    return found


def _writable(pid: str, fd: str) -> bool:
    try:
        with open(f"/proc/{pid}/fdinfo/{fd}", encoding="ascii", errors="replace") as info:
            for line in info:
                if line.startswith("flags:"):
                    return int(line.split()[1], 8) & os.O_ACCMODE in _WRITE_MODES
    except (OSError, ValueError, IndexError):
        return False
    return False
