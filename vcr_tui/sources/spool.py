"""Turn a byte stream (a pipe, an ssh connection) into a local file the normal follower reads.

Keeping one code path matters more than saving a copy: the reader's random access, caching,
problem reporting and reset handling all work on files, so a stream is appended to a private
file and followed like any other. Only complete lines are written, so the file always ends at a
line boundary; that is what lets an ssh connection resume at ``size`` without a duplicate or a
gap. When the far side starts over (the remote file was replaced), ``restart()`` renames a fresh
empty file over the spool: to the follower that is an ordinary replacement.
"""

from __future__ import annotations

import os
import selectors
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from recorder.index import is_whole_record
from vcr_tui.sources.errors import SourceError
from vcr_tui.sources.updates import SourceState, SourceStatus, UpdateBox

_READ_SIZE = 1 << 16


class LineSplitter:
    """Cut a byte stream at its last newline; keep the unfinished line for the next chunk.

    The unfinished line is kept as a list of pieces, so a multi-megabyte frame arriving in
    64 KB chunks is joined once, not copied again with every chunk.
    """

    def __init__(self) -> None:
        self._pieces: list[bytes] = []

    def feed(self, data: bytes) -> bytes:
        """The complete lines that ``data`` finishes (possibly none), newlines included."""
        newline = data.rfind(b"\n")
        if newline < 0:
            if data:
                self._pieces.append(data)
            return b""
        complete = data[: newline + 1]
        if self._pieces:
            complete = b"".join((*self._pieces, complete))
        rest = data[newline + 1 :]
        self._pieces = [rest] if rest else []
        return complete

    @property
    def pending_size(self) -> int:
        """Bytes of the unfinished line held back so far."""
        return sum(map(len, self._pieces))

    def complete_record(self) -> bytes:
        """The unfinished line, taken, when it is already a whole record object; else b"".

        A line the writer is still appending to is never a whole JSON object, so this only
        takes a last line that lacks just its newline (or a file written without a final one).
        Only a line ending in ``}`` is parsed, so a large frame arriving in pieces costs nothing.
        """
        if not self._pieces or not self._pieces[-1].rstrip().endswith(b"}"):
            return b""
        pending = b"".join(self._pieces)
        if not is_whole_record(pending):
            self._pieces = [pending]
            return b""
        self._pieces = []
        return pending

    def rest(self) -> bytes:
        """What is left over when the stream ends; cleared."""
        rest = b"".join(self._pieces)
        self._pieces = []
        return rest


class Spool:
    """A private temporary file that only ever grows by whole lines (or restarts)."""

    def __init__(self, name: str, on_append: Callable[[], None] | None = None) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="vcr-tui-"))  # mode 0700: private
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name).lstrip(".") or "stream.vcr"
        self.path = self._folder / safe
        self._fd = _create(self.path)
        self.size = 0
        self.on_append = on_append
        self._lock = threading.Lock()
        self.held_back = 0  # bytes of an unfinished last line its feeder holds, not yet written

    def append(self, lines: bytes) -> None:
        """Write bytes that end at a line boundary (or the final unterminated line of a stream)."""
        if not lines:
            return
        with self._lock:
            view = memoryview(lines)
            while view:
                view = view[os.write(self._fd, view) :]
            self.size += len(lines)
        if self.on_append is not None:
            self.on_append()

    def restart(self) -> None:
        """Replace the file with an empty one, the way a rotated log is replaced."""
        with self._lock:
            fresh = self.path.with_name(self.path.name + ".next")
            fd = _create(fresh)
            os.replace(fresh, self.path)
            os.close(self._fd)
            self._fd, self.size, self.held_back = fd, 0, 0
        if self.on_append is not None:
            self.on_append()

    def close(self) -> None:
        """Release and delete the file and its folder."""
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
        shutil.rmtree(self._folder, ignore_errors=True)


def _create(path: Path) -> int:
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | getattr(os, "O_CLOEXEC", 0), 0o600)


class StreamPump:
    """A thread copying a readable descriptor (stdin, a pipe) into a spool until end of file."""

    def __init__(
        self,
        fd: int,
        spool: Spool,
        box: UpdateBox,
        *,
        label: str = "stdin",
        before_end: Callable[[], object] | None = None,
    ) -> None:
        self._fd = fd
        self._before_end = before_end  # e.g. let the follower index the last bytes first
        self._spool = spool
        self._box = box
        self._label = label
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.finished = threading.Event()

    def start(self) -> None:
        self._box.set_status(SourceStatus(SourceState.LIVE, f"reading {self._label}"))
        self._thread = threading.Thread(target=self._run, name=f"pump {self._label}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        splitter = LineSplitter()
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self._fd, selectors.EVENT_READ)
                while not self._stop.is_set():
                    if not selector.select(timeout=0.2):
                        continue  # wake up now and then to notice stop()
                    data = os.read(self._fd, _READ_SIZE)
                    if not data:
                        break
                    self._spool.append(splitter.feed(data))
                    self._spool.held_back = splitter.pending_size
        except OSError as exc:
            self._box.set_status(SourceStatus(SourceState.FAILED, f"reading {self._label} failed: {exc.strerror}"))
            self.finished.set()
            return
        if self._stop.is_set():
            self.finished.set()
            return
        self._spool.append(splitter.rest())  # a last line without newline: the reader decides
        self._spool.held_back = 0
        if self._before_end is not None:
            self._before_end()
        self._box.set_status(SourceStatus(SourceState.ENDED, f"{self._label} closed: the recording is complete"))
        self.finished.set()


def take_over_stdin() -> int:
    """Move piped stdin to a new descriptor and put the terminal back on descriptor 0.

    ``vcr-tui -`` reads the recording from stdin, but the keys must still come from the
    terminal. Call this before the app starts: afterwards fd 0 (and ``sys.stdin``) is the
    controlling terminal and the returned descriptor is the pipe, ready for ``StreamPump``.
    """
    if os.isatty(0):
        raise SourceError(
            "'-' reads a recording from a pipe, but stdin is the terminal:"
            " pipe one in, for example `ssh box tail -c +1 -F run.vcr | vcr-tui -`"
        )
    try:
        terminal = os.open("/dev/tty", os.O_RDWR | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        raise SourceError("'-' needs a terminal for the keys, and this process has none (/dev/tty)") from None
    stream = os.dup(0)
    os.dup2(terminal, 0)
    os.close(terminal)
    return stream
