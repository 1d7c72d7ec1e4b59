"""One object per opened recording, whatever it came from: what the app talks to.

Every kind of source ends up as a local file followed by ``FileFollower``: a local path
directly, stdin and ssh through a ``Spool``. So the app sees one interface: ``start()`` (may
block briefly: call it from a worker), then a ``LiveReader`` to read frames from and a mailbox
of merged updates, announced through a callback or ``wait()``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from recorder import RecordingNotFoundError, RecordingUnreadableError
from vcr_tui.sources.errors import SourceError
from vcr_tui.sources.follow import POLL_INTERVAL, FileFollower
from vcr_tui.sources.live_reader import LiveReader
from vcr_tui.sources.locations import LocalPath, Location, ObjectPath, RemotePath, StandardInput, parse_location
from vcr_tui.sources.updates import SourceState, SourceStatus, SourceUpdate, UpdateBox

if TYPE_CHECKING:  # the kinds of source a local file does not need: imported when one starts
    from recorder.object_head import HeadPrefetch, ObjectHead
    from vcr_tui.sources.object_follow import ObjectFollower
    from vcr_tui.sources.spool import Spool, StreamPump
    from vcr_tui.sources.ssh import SSHFeeder, SSHOptions


class Source:
    """A recording being read, and kept current while it grows.

    Lifecycle: ``start()`` once, then ``reader`` is valid until ``close()``. Updates arrive in
    one of two ways: ``start(on_change=...)`` calls ``on_change()`` from a background thread when
    an update is waiting (post a message from it, nothing more), or a worker loops on
    ``wait()``. Either way, call ``take()`` to get the merged update; the next notice comes
    only after that.
    """

    def __init__(
        self,
        location: Location,
        *,
        follow: bool = True,
        ssh_options: SSHOptions | None = None,
        stdin_fd: int | None = None,
        poll_interval: float = POLL_INTERVAL,
        head: HeadPrefetch | None = None,
    ) -> None:
        self.location = location
        self._head = head  # an object's version and first bytes, read by a helper process meanwhile
        self.follow = follow
        self._ssh_options = ssh_options
        self._stdin_fd = stdin_fd
        self._poll_interval = poll_interval
        self._box = UpdateBox(SourceStatus(SourceState.CONNECTING, f"opening {location.label}"))
        self._follower: FileFollower | None = None
        self._spool: Spool | None = None
        self._feeder: SSHFeeder | StreamPump | None = None
        self._object: ObjectFollower | None = None
        self._copy: Path | None = None
        self._closed = False

    @property
    def label(self) -> str:
        return self.location.label

    @property
    def reader(self) -> LiveReader:
        if self._object is not None:
            return self._object.reader
        if self._follower is None:
            raise RuntimeError("start() the source before reading from it")
        return self._follower.reader

    @property
    def status(self) -> SourceStatus:
        return self._box.status

    def check(self) -> None:
        """Wait for the helper reading an object's head; ``SourceError`` (one line) if the object
        cannot be read. Nothing to wait for with any other source."""
        if self._head is None:
            return
        try:
            self._head.result()
        except (RecordingNotFoundError, RecordingUnreadableError) as exc:
            raise SourceError(exc.strerror or str(exc)) from None

    @property
    def awaits_head(self) -> bool:
        """Whether a helper is reading an object's head (or has, and ``check()`` was not called yet)."""
        return self._head is not None

    @property
    def head(self) -> ObjectHead | None:
        """An object's first bytes as the helper read them, once ``check()`` has passed; else None
        (never waits: the screen asks while it is being drawn)."""
        if self._head is None or not self._head.done():
            return None
        try:
            return self._head.result()
        except (RecordingNotFoundError, RecordingUnreadableError):
            return None

    @property
    def feeder(self) -> SSHFeeder | StreamPump | None:
        """The thread that fills the spool, for a stream or a remote file."""
        return self._feeder

    def start(self, on_change: Callable[[], None] | None = None) -> None:
        """Open the recording and begin following it; ``SourceError`` if it cannot be opened.

        A local file is indexed here (about 0.5 s per 250 MB), so call this from a worker.
        Remote trouble does not raise: it arrives as a FAILED status, since it is only known
        once ssh has tried.
        """
        if self._follower is not None or self._object is not None:
            raise RuntimeError("a source starts once")
        self._box.set_callback(on_change)
        location = self.location
        if isinstance(location, LocalPath):
            self._start_local(location)
        elif isinstance(location, StandardInput):
            self._start_stream()
        elif isinstance(location, ObjectPath):
            self._start_object(location)
        else:
            self._start_remote(location)

    def _start_local(self, location: LocalPath) -> None:
        try:
            self._follower = FileFollower(location.path, self._box, interval=self._poll_interval)
        except (RecordingNotFoundError, RecordingUnreadableError) as exc:  # a folder, a missing file, ...
            raise SourceError(exc.strerror or str(exc)) from None
        if self.follow:
            live = SourceStatus(SourceState.LIVE, f"following {location.path.name}")
            self._follower.set_live_status(live)
            self._box.set_status(live)
            self._follower.start()
        else:
            self._box.set_status(SourceStatus(SourceState.STATIC, f"{location.path.name} (not following)"))
        self._announce_initial()

    def _start_object(self, location: ObjectPath) -> None:
        """Index the object's first megabytes here; the rest streams in from the follower's thread."""
        from vcr_tui.sources.object_follow import ObjectFollower

        self.check()
        try:
            self._object = ObjectFollower(location.url, self._box, follow=self.follow)
        except (RecordingNotFoundError, RecordingUnreadableError) as exc:
            raise SourceError(exc.strerror or str(exc)) from None
        self._announce_initial()
        self._object.start()

    @property
    def object_copy_needed(self) -> bool:
        """Whether forking this recording needs ``local_copy()``: it has no file here."""
        return self._object is not None

    def local_copy(self) -> Path:
        """A private local copy of an object's current version (made once; deleted on close).

        Forks and resumed runs read their parent as a file; an object has none. Blocks while the
        object is downloaded.
        """
        if self._object is None:
            raise RuntimeError("only a recording in object storage needs a local copy")
        if self._copy is None:
            handle, name = tempfile.mkstemp(prefix="vcr-tui-object-", suffix=f"-{self._object.index.path.name}")
            os.close(handle)
            try:
                self._object.index.store.download(Path(name))
            except BaseException:
                os.unlink(name)
                raise
            self._copy = Path(name)
        return self._copy

    def _start_stream(self) -> None:
        if self._stdin_fd is None:
            raise SourceError("no stream to read: call take_over_stdin() before the app starts")
        from vcr_tui.sources.spool import StreamPump

        spool, follower = self._follow_spool("stdin.vcr")
        self._feeder = StreamPump(self._stdin_fd, spool, self._box, before_end=follower.catch_up)
        self._feeder.start()

    def _start_remote(self, location: RemotePath) -> None:
        from vcr_tui.sources.ssh import SSHFeeder

        spool, follower = self._follow_spool(location.name)
        self._feeder = SSHFeeder(
            location, spool, self._box, self._ssh_options, follow=self.follow, before_end=follower.catch_up
        )
        self._feeder.start()

    def _follow_spool(self, name: str) -> tuple[Spool, FileFollower]:
        """A private spool file, already followed: a stream or an ssh client then fills it."""
        from vcr_tui.sources.spool import Spool

        spool = self._spool = Spool(name)
        follower = self._follower = FileFollower(spool.path, self._box, interval=self._poll_interval)
        spool.on_append = follower.wake
        follower.reader.held_back = lambda: spool.held_back
        follower.start()
        self._announce_initial()
        return spool, follower

    def writer_finished(self, message: str) -> None:
        """The program writing this local file is known to be done (say, a resumed run into it ended).

        Index what is left, stop watching, and report ENDED with ``message``: a file that nothing
        will append to is not shown as LIVE. Blocks while the last bytes are read: call it from a
        worker. Streams and remote files end on their own, so this does nothing for them.
        """
        follower = self._follower
        if follower is None or self._feeder is not None or self._closed:
            return
        follower.catch_up()
        follower.stop()
        self._box.set_status(SourceStatus(SourceState.ENDED, message))

    def _announce_initial(self) -> None:
        count = len(self.reader)
        self._box.frames(count, count, reset=True)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until an update is waiting that nobody was told about; False on timeout."""
        return self._box.wait(timeout)

    def take(self) -> SourceUpdate | None:
        """Everything that changed since the last take, merged; None when nothing did."""
        return self._box.take()

    def close(self) -> None:
        """Stop every thread and process, delete the spool. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._box.set_callback(None)
        if self._feeder is not None:
            self._feeder.stop()
        if self._head is not None:
            self._head.cancel()
        if self._object is not None:
            self._object.stop()
            self._object.reader.close()
        if self._copy is not None:
            self._copy.unlink(missing_ok=True)
        if self._follower is not None:
            self._follower.stop()
            self._follower.reader.close()
        if self._spool is not None:
            self._spool.close()
        if self._stdin_fd is not None:
            try:
                os.close(self._stdin_fd)
            except OSError:
                pass
            self._stdin_fd = None
        self._box.set_status(SourceStatus(SourceState.CLOSED, "closed"))

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_source(
    argument: str,
    *,
    follow: bool = True,
    ssh_options: SSHOptions | None = None,
    stdin_fd: int | None = None,
) -> Source:
    """A (not yet started) source for a command-line argument; ``LocationError`` if unusable."""
    return Source(parse_location(argument), follow=follow, ssh_options=ssh_options, stdin_fd=stdin_fd)
