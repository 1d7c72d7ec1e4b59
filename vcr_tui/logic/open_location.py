"""What ``vcr-tui PATH`` opens: a local path (checked by the command line), or a source for a
recording streamed on stdin (``-``), kept on another host (``ssh://host/path``, ``host:path``) or
in object storage (``s3://bucket/key``).

Sources for stdin and ssh are made here, before the app starts, for one reason each: stdin must
be handed back to the terminal before Textual reads keys from it, and a bad address should
fail with one line on stderr like any other bad argument, not inside the app. An object's
address is checked by a helper process that reads its head while the app's code loads
(``recorder.object_head``); ``Source.check()`` waits for the answer: the command line before the
app runs when there is no terminal, else the app's opening worker, which draws the head's frames.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from vcr_tui.sources import LocalPath, LocationError, ObjectPath, RemotePath, StandardInput, parse_location

if TYPE_CHECKING:
    from vcr_tui.sources import Source


def is_object_prefix(argument: str | None) -> bool:
    """Whether the argument names a prefix of objects (a bucket, or a key ending in ``/``)."""
    if argument is None:
        return False
    try:
        location = parse_location(argument)
    except LocationError:
        return False
    return isinstance(location, ObjectPath) and location.is_prefix


def stream_or_remote_source(argument: str, *, follow: bool, ssh_options: Sequence[str] = ()) -> Source | None:
    """A (not yet started) source for ``-`` or a remote file; None for a local path.

    Raises ``LocationError`` for an argument that names nothing, ``SourceError`` for ``-``
    without a pipe; both carry a one-line message. ``ssh_options`` are passed as ``-o OPTION``.
    """
    location = parse_location(argument)
    if isinstance(location, LocalPath):
        return None  # the common case loads none of the sources' code
    from vcr_tui.sources import Source, SSHOptions, take_over_stdin

    if isinstance(location, StandardInput):
        return Source(location, follow=follow, stdin_fd=take_over_stdin())
    if isinstance(location, ObjectPath):
        from recorder.object_head import HeadPrefetch

        return Source(location, follow=follow, head=HeadPrefetch(location.url))  # ``check()`` waits for it
    extra = tuple(part for option in ssh_options for part in ("-o", option))
    return Source(location, follow=follow, ssh_options=SSHOptions(extra_args=extra))


def shown_path(source: Source) -> Path:
    """The name screens show for a source's recording: the remote file's name, or ``stdin``."""
    location = source.location
    if isinstance(location, (RemotePath, ObjectPath)):
        return Path(location.name)
    if isinstance(location, StandardInput):
        return Path("stdin")
    return location.path


def close_on_hangup(source: Source) -> None:
    """Close ``source`` when the terminal goes away (SIGHUP) or the program is told to stop (SIGTERM).

    Without this, closing the terminal window kills the program before it can clean up: the
    private copy of a streamed or remote recording would stay in the temporary folder. The
    signal is then delivered again with its default action, so the exit status tells the truth.
    """

    def close_then_die(signum: int, _frame: FrameType | None) -> None:
        source.close()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    for signum in (signal.SIGHUP, signal.SIGTERM):
        signal.signal(signum, close_then_die)
