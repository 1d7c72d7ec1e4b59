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

_PROC = Path("/proc")
_WRITE_MODES = (os.O_WRONLY, os.O_RDWR)


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
    if not wanted or not _PROC.is_dir():
        return set()
    me = str(os.getpid())
    found: set[Path] = set()
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
