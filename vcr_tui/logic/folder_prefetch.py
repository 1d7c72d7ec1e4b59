"""The helper process that scans a big folder for the session list, started as early as can be.

The command line starts it for a folder before it loads the app (most of a second of imports
and setting up), so on a machine with a second core the summaries are read meanwhile and the
first screen only has to show them. The folder view adopts the process started for its folder;
a view that finds none starts its own. Nothing here but the standard library: this module is
loaded before everything else.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)
# This checkout's package comes first, and no module is ever taken from the current folder.
_CHILD = "import sys; sys.path[0] = sys.argv.pop(1); from vcr_tui.logic.summary_worker import main; main()"
_early: dict[str, subprocess.Popen[bytes]] = {}
_PIPE_BYTES = 1 << 20


def start_helper(folder: Path) -> subprocess.Popen[bytes] | None:
    """The helper scanning ``folder``, its summaries on its stdout; None if it cannot be started."""
    try:
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, _PACKAGE_ROOT, os.path.abspath(folder)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # the terminal is the app's: nothing of the helper's reaches it
            start_new_session=True,  # nor do the terminal's signals reach the helper
        )
    except OSError:
        return None
    _widen(child)
    return child


def _widen(child: subprocess.Popen[bytes]) -> None:
    """Let the pipe hold a megabyte (Linux; elsewhere, or past the system's limit, it stays as it
    is): ten thousand summaries are 1.5 MB, and a 64 KB pipe stopped the helper a few hundred in,
    until the app had loaded and begun to read, however much of its core was free."""
    try:
        import fcntl
    except ImportError:  # not on Windows
        return
    setting = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setting is not None and child.stdout is not None:
        try:
            fcntl.fcntl(child.stdout.fileno(), setting, _PIPE_BYTES)
        except OSError:
            pass


def start_early(folder: Path) -> None:
    """Start the helper for the folder about to be shown (if it is one); the view takes it over."""
    key = os.path.realpath(folder)
    if key not in _early and os.path.isdir(key):
        child = start_helper(folder)
        if child is not None:
            _early[key] = child


def take_early(folder: Path) -> subprocess.Popen[bytes] | None:
    """The helper started early for ``folder``, once (a second scan of it starts afresh)."""
    return _early.pop(os.path.realpath(folder), None)
