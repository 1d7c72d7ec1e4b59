"""Follow a file on another machine with the system's OpenSSH client and ``tail``.

Running ``ssh`` (not a Python SSH library) means the user's keys, agent, ``~/.ssh/config``,
jump hosts and known_hosts all work unchanged, and nothing new is installed on either side: the
remote end needs only a POSIX ``sh``, ``wc`` and ``tail``.

Each connection runs a short remote script: check the file (exit statuses tell missing, folder,
unreadable and "shorter than what we already have" apart without parsing any language), print a
ready mark, then ``exec tail -c +START -F``. Bytes go into a ``Spool`` as whole lines, so
after a drop the next connection resumes exactly at the spool's end: no duplicate, no gap. It
asks for the file's first bytes (its header line, which names the session) and a few KB
*before* that point as well, and compares them with what it already has; if they differ, the
remote file was replaced while we were away and the spool starts over before a single byte of
the new file is spliced onto the old one.

``tail -F`` reports a replaced or truncated file on stderr, which ssh carries on a channel of
its own, so the notice could overtake or trail the new file's bytes. Instead tail's stderr is
merged into its stdout on the remote side: the notice then sits exactly where the new file
begins, and the stream is cut there and resumed with the check above.
"""

from __future__ import annotations

import os
import re
import secrets
import selectors
import shlex
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from vcr_tui.sources.locations import RemotePath
from vcr_tui.sources.spool import LineSplitter, Spool
from vcr_tui.sources.ssh_failures import (
    EXIT_MISSING,
    EXIT_NO_PERMISSION,
    EXIT_NOT_A_FILE,
    EXIT_SHRANK,
    EXIT_SIZE_UNREADABLE,
    FailureKind,
    SSHFailure,
    classify,
    printable,
)
from vcr_tui.sources.updates import SourceState, SourceStatus, UpdateBox

READY_PREFIX = "vcr-tui:ready:"
_READY_SEARCH_LIMIT = 1 << 16  # login noise kept while looking for the mark
_OVERLAP = 4096  # bytes before the resume point re-read to prove the file is the same one
_HEAD = 4096  # and bytes from the file's start: the header line with the session id
_STDERR_KEPT = 8192
_READ_SIZE = 1 << 16
_BACKOFF = (0.2, 0.5, 1.0, 2.0, 4.0, 8.0)
_STABLE_AFTER = 10.0  # a connection that lived this long resets the backoff
ENV_EXTRA_ARGS = "VCR_TUI_SSH_ARGS"


@dataclass(frozen=True, slots=True)
class SSHOptions:
    """How to run ssh. ``extra_args`` go before the destination, e.g. ``("-F", "config")``.

    The environment variable ``VCR_TUI_SSH_ARGS`` (split like a shell would) is added to them,
    so a test or a wrapper script can point the app at another ssh config.
    """

    ssh_command: str = "ssh"
    extra_args: tuple[str, ...] = ()
    connect_timeout: float = 10.0
    alive_interval: float = 5.0
    alive_count: int = 3
    use_environment: bool = True
    backoff: tuple[float, ...] = field(default=_BACKOFF)

    def command(self, location: RemotePath, remote_command: str) -> list[str]:
        program = shutil.which(self.ssh_command) or self.ssh_command
        args = [
            program,
            "-T",
            "-o", "BatchMode=yes",
            "-o", f"ConnectTimeout={max(1, round(self.connect_timeout))}",
            "-o", f"ServerAliveInterval={max(1, round(self.alive_interval))}",
            "-o", f"ServerAliveCountMax={max(1, self.alive_count)}",
            # Our ssh must not become a background multiplexing master that outlives it and
            # keeps our pipes open, nor take part in forwarding: it only reads one file.
            "-o", "ControlPersist=no",
            "-o", "ClearAllForwardings=yes",
            "-o", "ForwardAgent=no",
            "-o", "ForwardX11=no",
            "-o", "RemoteCommand=none",
        ]  # fmt: skip
        args.extend(self.extra_args)
        if self.use_environment:
            args.extend(shlex.split(os.environ.get(ENV_EXTRA_ARGS, "")))
        if location.port:
            args.extend(["-p", str(location.port)])
        if location.user:
            args.extend(["-l", location.user])
        args.extend(["--", location.host, remote_command])
        return args


def ready_mark(nonce: str) -> bytes:
    """The line the remote script prints on stdout just before the file's bytes.

    Everything before it is dropped: a login script that prints on stdout (a chatty
    ``.bashrc``) must not end up in the recording or shift the byte count resumes rely on.
    The nonce is fresh per connection, so nothing in the file can pass for it.
    """
    return f"{READY_PREFIX}{nonce}\n".encode()


def remote_script(path: str, offset: int, start: int, *, follow: bool, nonce: str = "0", head: int = 0) -> str:
    """The POSIX sh run on the remote host; see the module docstring for the exit statuses.

    With ``head``, the file's first ``head`` bytes come right after the ready mark, before the
    bytes from ``start`` on (``dd`` reads a regular file in one full block).
    """
    tail = f"tail -c +{start + 1}" + (" -F" if follow else "")
    first = f'dd if="$p" bs={head} count=1 2>/dev/null; ' if head else ""
    return (
        f"p={shlex.quote(path)}; "
        f'[ -e "$p" ] || exit {EXIT_MISSING}; '
        f'[ -d "$p" ] && exit {EXIT_NOT_A_FILE}; '
        f'[ -r "$p" ] || exit {EXIT_NO_PERMISSION}; '
        f'n=$(wc -c < "$p") || exit {EXIT_SIZE_UNREADABLE}; '
        f"[ $((n)) -ge {offset} ] || exit {EXIT_SHRANK}; "
        f"echo {READY_PREFIX}{nonce}; "
        f"{first}"
        f'exec {tail} -- "$p" 2>&1'
    )


def remote_command(path: str, offset: int, start: int, *, follow: bool, nonce: str = "0", head: int = 0) -> str:
    """The script wrapped for whatever login shell the user has (bash, zsh, fish, ...)."""
    return "sh -c " + shlex.quote(remote_script(path, offset, start, follow=follow, nonce=nonce, head=head))


# -- tail's notices, read in-band ---------------------------------------------------------------

_RESTART_NOTICE = re.compile(rb"(: file truncated| has been replaced| has appeared)")
_GONE_NOTICE = re.compile(rb"( has become inaccessible|cannot open .* for reading)")
_HARMLESS_NOTICE = re.compile(rb"(inotify|reverting to polling|no files remaining|cannot watch)")


def tail_notice(line: bytes) -> str | None:
    """``"restart"``, ``"gone"`` or ``"ignore"`` when ``line`` ends with a notice of tail's.

    A notice may follow the unfinished last line of the old file on the same line. A record
    line always ends with ``}``, a notice never does, so no frame is ever taken for one.
    """
    text = line.rstrip(b"\r\n")
    at = text.rfind(b"tail: ")
    if at < 0 or text.endswith(b"}"):
        return None
    notice = text[at:]
    if _RESTART_NOTICE.search(notice):
        return "restart"
    if _GONE_NOTICE.search(notice):
        return "gone"
    if _HARMLESS_NOTICE.search(notice):
        return "ignore"
    return None


# -- the connection loop ------------------------------------------------------------------------


class _Restart(Exception):
    """The remote file is no longer the one spooled: start over from its first byte."""


class _Resync(Exception):
    """tail announced a new file: reconnect and check whether it still matches."""


class SSHFeeder:
    """A thread that keeps a spool equal to a remote file, reconnecting as needed."""

    def __init__(
        self,
        location: RemotePath,
        spool: Spool,
        box: UpdateBox,
        options: SSHOptions | None = None,
        *,
        follow: bool = True,
        before_end: Callable[[], object] | None = None,
    ) -> None:
        self.location = location
        self._before_end = before_end  # e.g. let the follower index the last bytes first
        self.options = options or SSHOptions()
        self.follow = follow
        self._spool = spool
        self._box = box
        self._target = _target(location)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._process_lock = threading.Lock()
        self._recent = b""  # the last _OVERLAP bytes of the remote file that were spooled
        self._head = b""  # the first _HEAD bytes of the remote file that were spooled
        self._ever_connected = False
        self._suspect_offset: int | None = None  # where the last restart notice was seen
        self.connections = 0  # how many times a connection got as far as tailing

    def start(self) -> None:
        self._box.set_status(SourceStatus(SourceState.CONNECTING, f"connecting to {self._target}"))
        self._thread = threading.Thread(target=self._run, name=f"ssh {self._target}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._kill()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    @property
    def pid(self) -> int | None:
        """The running ssh client's process id (tests kill it to simulate a drop)."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    # -- loop ---------------------------------------------------------------------------------

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                failure = self._connect_once()
            except _Restart:
                self._start_spool_over()
                attempt = 0
                continue
            except _Resync:
                attempt = 0
                continue
            except OSError as exc:  # ssh missing or not executable
                failure = SSHFailure(
                    FailureKind.SSH_MISSING,
                    f"cannot run the ssh client {self.options.ssh_command!r} ({exc.strerror}): is OpenSSH installed?",
                )
            if failure is None or self._stop.is_set():
                return
            if failure.kind is FailureKind.ENDED and self.follow:
                failure = SSHFailure(FailureKind.DROPPED, f"the remote tail on {self._target} stopped")
            if failure.kind is FailureKind.ENDED:
                if self._before_end is not None:
                    self._before_end()
                self._box.set_status(SourceStatus(SourceState.ENDED, f"{self._target}: whole file read"))
                return
            if failure.kind is FailureKind.REMOTE_SHRANK:
                self._start_spool_over()
                continue
            if failure.is_fatal(was_connected=self._ever_connected):
                self._box.set_status(SourceStatus(SourceState.FAILED, failure.message, failure.detail))
                return
            if time.monotonic() - started > _STABLE_AFTER:
                attempt = 0
            delay = self.options.backoff[min(attempt, len(self.options.backoff) - 1)]
            attempt += 1
            state = SourceState.WAITING if failure.kind is FailureKind.MISSING_FILE else SourceState.RECONNECTING
            self._box.set_status(
                SourceStatus(state, f"{failure.message}; retrying in {delay:g} s (attempt {attempt})", failure.detail)
            )
            if self._stop.wait(delay):
                return

    def _start_spool_over(self) -> None:
        self._spool.restart()
        self._recent = self._head = b""
        self._suspect_offset = None

    def _connect_once(self) -> SSHFailure | None:
        """Run one ssh; return why it ended (None when asked to stop)."""
        offset = self._spool.size
        overlap = self._recent[-min(_OVERLAP, offset) :] if offset else b""
        start = offset - len(overlap)
        head = self._head if len(overlap) < offset else b""  # a short file is all overlap already
        nonce = secrets.token_hex(8)
        script = remote_command(self.location.path, offset, start, follow=self.follow, nonce=nonce, head=len(head))
        command = self.options.command(self.location, script)
        overlap = head + overlap  # what must arrive, in this order, before anything new
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # no terminal signals, no prompts on the user's terminal
            close_fds=True,
        )
        with self._process_lock:
            self._process = process
        if self._stop.is_set():
            self._kill()
        try:
            connected, stderr = self._pump(process, overlap, ready_mark(nonce))
        finally:
            self._reap(process)
        if self._stop.is_set():
            return None
        return classify(
            process.returncode if process.returncode is not None else -signal.SIGKILL,
            stderr.decode("utf-8", "replace"),
            target=self._target,
            path=self.location.path,
            connected=connected,
            connect_timeout=self.options.connect_timeout,
        )

    def _pump(self, process: subprocess.Popen[bytes], overlap: bytes, mark: bytes) -> tuple[bool, bytes]:
        """Move bytes from ssh into the spool until ssh ends; return (got ready, stderr)."""
        assert process.stdout is not None and process.stderr is not None
        out, err = process.stdout.fileno(), process.stderr.fileno()
        splitter = LineSplitter()
        stderr = b""
        before_mark = b""  # stdout before the ready mark: login noise, dropped
        connected = False
        fresh = True  # nothing received on this connection yet
        with selectors.DefaultSelector() as selector:
            selector.register(out, selectors.EVENT_READ)
            selector.register(err, selectors.EVENT_READ)
            open_fds = {out, err}
            exited_at: float | None = None
            while open_fds and not self._stop.is_set():
                if process.poll() is not None:
                    exited_at = exited_at or time.monotonic()
                    if time.monotonic() - exited_at > 0.5:
                        break  # ssh is gone but something else holds its pipes open: do not wait
                for key, _ in selector.select(timeout=0.2):
                    data = os.read(key.fd, _READ_SIZE)
                    if not data:
                        selector.unregister(key.fd)
                        open_fds.discard(key.fd)
                        continue
                    if key.fd == err:
                        stderr = (stderr + data)[-_STDERR_KEPT:]
                        continue
                    if not connected:
                        before_mark = (before_mark + data)[-_READY_SEARCH_LIMIT:]
                        at = before_mark.find(mark)
                        if at < 0:
                            continue
                        connected = True
                        self._on_connected()
                        data = before_mark[at + len(mark) :]
                    if overlap:
                        data, overlap = self._check_overlap(data, overlap)
                    lines = splitter.feed(data)
                    if lines:
                        self._take(lines, fresh)
                        fresh = False
                    if not overlap and (last := splitter.complete_record()):
                        self._take(last, fresh)  # a last line without newline, shown as a local file shows it
                        fresh = False
                    if not overlap:
                        self._spool.held_back = splitter.pending_size
        if not self._stop.is_set():
            try:
                process.wait(timeout=2)  # its output ended, so ssh is on its way out
            except subprocess.TimeoutExpired:
                pass  # _reap kills it
            if connected and process.returncode == 0 and not overlap:
                self._take(splitter.rest(), fresh)  # the whole file read, without follow: keep its last line
                self._spool.held_back = 0
        return connected, stderr

    def _check_overlap(self, data: bytes, overlap: bytes) -> tuple[bytes, bytes]:
        """Compare the re-read bytes before the resume point with what the spool holds."""
        head = data[: len(overlap)]
        if head != overlap[: len(head)]:
            raise _Restart
        return data[len(head) :], overlap[len(head) :]

    def _on_connected(self) -> None:
        self._ever_connected = True
        self.connections += 1
        what = "following" if self.follow else "reading"
        self._box.set_status(SourceStatus(SourceState.LIVE, f"{what} {self._target}:{printable(self.location.path)}"))

    def _take(self, lines: bytes, fresh: bool) -> None:
        """Spool complete lines, cutting the stream at a notice of tail's."""
        if b"tail: " not in lines:
            self._spool_lines(lines)
            return
        keep: list[bytes] = []
        for line in _split_lines(lines):
            notice = tail_notice(line)
            if notice == "restart" and not (fresh and self._suspect_offset == self._spool.size + sum(map(len, keep))):
                self._spool_lines(b"".join(keep))
                self._suspect_offset = self._spool.size
                raise _Resync
            if notice in ("gone", "ignore"):
                if notice == "gone":
                    self._box.set_status(
                        SourceStatus(SourceState.WAITING, f"{self._target}: the remote file is gone; waiting")
                    )
                continue
            # Data, or the same notice again at the same place right after a check that found
            # the file unchanged: then it is a line of the file that merely looks like one.
            keep.append(line)
            fresh = False
        self._spool_lines(b"".join(keep))

    def _spool_lines(self, lines: bytes) -> None:
        if not lines:
            return
        self._spool.append(lines)
        self._recent = (self._recent + lines)[-_OVERLAP:]
        if len(self._head) < _HEAD:
            self._head += lines[: _HEAD - len(self._head)]
        self._suspect_offset = None

    # -- processes ----------------------------------------------------------------------------

    def _kill(self) -> None:
        with self._process_lock:
            process = self._process
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except OSError:
                pass

    def _reap(self, process: subprocess.Popen[bytes]) -> None:
        """Make sure this ssh is gone and its pipes closed, whatever state it is in."""
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except OSError:
                pass
            try:
                process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except OSError:
                    pass
                process.wait()
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
        with self._process_lock:
            if self._process is process:
                self._process = None


def _split_lines(data: bytes) -> list[bytes]:
    """Lines cut at ``\n`` only (``bytes.splitlines`` also cuts at a bare ``\r``), ends kept."""
    lines = [line + b"\n" for line in data.split(b"\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _target(location: RemotePath) -> str:
    host = f"[{location.host}]" if ":" in location.host else location.host
    user = f"{location.user}@" if location.user else ""
    port = f":{location.port}" if location.port else ""
    return printable(f"{user}{host}{port}")
