"""The few errors the engine raises on purpose, each with a message fit for a user's screen."""

from __future__ import annotations

import errno
import os
from pathlib import Path


class RecordingNotFoundError(FileNotFoundError):
    """The path names no file."""


class RecordingUnreadableError(OSError):
    """The path exists but cannot be read as a recording (a folder, no permission, ...)."""


def open_for_reading(path: Path) -> int:
    """Open a recording read-only, turning the OS's errors into one clear sentence."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise RecordingNotFoundError(errno.ENOENT, f"no such recording: {path}") from None
    except IsADirectoryError:
        raise RecordingUnreadableError(errno.EISDIR, f"{path} is a folder, not a .vcr file") from None
    except PermissionError:
        raise RecordingUnreadableError(errno.EACCES, f"no permission to read {path}") from None
    except OSError as exc:
        raise RecordingUnreadableError(exc.errno, f"cannot open {path}: {exc.strerror}") from None
    if os.path.isdir(path):  # some systems open folders read-only without complaint
        os.close(fd)
        raise RecordingUnreadableError(errno.EISDIR, f"{path} is a folder, not a .vcr file")
    return fd
