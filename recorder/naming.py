"""Session ids, and the file names they become.

A session id is data from the caller or from a file; a file name is a path we create. Keeping the
two apart is what stops ``session_id="../../etc/x"`` from writing outside the output folder.
"""

from __future__ import annotations

import os
import re
import secrets
from datetime import datetime, timezone
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_STEM = 120
SUFFIX = ".vcr"


def new_session_id() -> str:
    """Sortable by time, unique by random suffix, in the peer's shape: ``20261126_022225_f8a4c375``."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d_%H%M%S")
    return f"{stamp}_{secrets.token_hex(4)}"


def safe_stem(session_id: str) -> str:
    """A file-name stem that cannot leave its folder, is not hidden, and is never empty."""
    stem = _UNSAFE.sub("_", session_id).strip("._")
    stem = stem[:_MAX_STEM]
    return stem or "session"


def create_exclusive(output_dir: Path, session_id: str) -> tuple[Path, int]:
    """Create a new, empty recording file for the session and open it for appending.

    Never reuses an existing file: a recording is evidence and is never appended to by another
    run nor truncated. When ``<id>.vcr`` exists, ``<id>.2.vcr``, ``<id>.3.vcr``... are tried.
    Returns the path and an ``O_APPEND`` descriptor.
    """
    folder = output_dir.resolve()
    stem = safe_stem(session_id)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
    for attempt in range(1, 10_000):
        name = f"{stem}{SUFFIX}" if attempt == 1 else f"{stem}.{attempt}{SUFFIX}"
        path = folder / name
        if path.parent != folder:  # unreachable with safe_stem; kept as the last line of defence
            raise ValueError(f"session id {session_id!r} does not make a file name")
        try:
            return path, os.open(path, flags, 0o644)
        except FileExistsError:
            continue
    raise FileExistsError(f"no free file name for session {session_id!r} in {folder}")
