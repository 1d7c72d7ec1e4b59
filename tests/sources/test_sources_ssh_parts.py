"""The pieces of ssh following that need no server: the remote script, tail's notices, messages.

The remote script and tail run here for real (``sh -c``, GNU tail), exactly as ssh would run
them on the far side.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest

from vcr_tui.sources.locations import RemotePath
from vcr_tui.sources.ssh import SSHOptions, ready_mark, remote_command, remote_script, tail_notice
from vcr_tui.sources.ssh_failures import FailureKind, classify, printable


def run_script(path: Path, offset: int, start: int, follow: bool = False) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["sh", "-c", remote_script(str(path), offset, start, follow=follow, nonce="n0nce")],
        capture_output=True,
        timeout=10,
        check=False,
    )


def test_the_remote_script_sends_the_file_from_the_requested_byte(tmp_path: Path) -> None:
    path = tmp_path / "run.vcr"
    path.write_bytes(b"0123456789\n")
    done = run_script(path, offset=6, start=4)
    assert done.returncode == 0
    assert done.stdout == ready_mark("n0nce") + b"456789\n"


@pytest.mark.parametrize(
    ("setup", "kind"),
    [
        ("missing", FailureKind.MISSING_FILE),
        ("folder", FailureKind.NOT_A_FILE),
        ("shrank", FailureKind.REMOTE_SHRANK),
    ],
)
def test_the_remote_script_exit_statuses_are_understood(tmp_path: Path, setup: str, kind: FailureKind) -> None:
    path = tmp_path / "run.vcr"
    if setup == "folder":
        path.mkdir()
    elif setup == "shrank":
        path.write_bytes(b"short\n")
    done = run_script(path, offset=100, start=90)
    assert done.stdout == b""  # no ready mark: nothing will be spooled
    failure = classify(
        done.returncode, done.stderr.decode(), target="box", path=str(path), connected=False, connect_timeout=5
    )
    assert failure.kind is kind


def test_an_unreadable_remote_file_is_named() -> None:
    """Root reads everything, so as root the script runs as nobody (like a remote login would)."""
    as_other_user: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: cannot make a file unreadable")
        as_other_user = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
    folder = Path(tempfile.mkdtemp(prefix="vcr-tui-test-"))
    try:
        folder.chmod(0o711)  # others may look the file up, not list or read it
        path = folder / "run.vcr"
        path.write_bytes(b"x\n")
        path.chmod(0)
        done = subprocess.run(
            [*as_other_user, "sh", "-c", remote_script(str(path), 0, 0, follow=False)],
            capture_output=True,
            timeout=10,
            check=False,
        )
        failure = classify(
            done.returncode, done.stderr.decode(), target="box", path=str(path), connected=False, connect_timeout=5
        )
        assert failure.kind is FailureKind.NO_PERMISSION, done
        assert "no permission to read" in failure.message
    finally:
        shutil.rmtree(folder)


def test_the_command_survives_a_hostile_path(tmp_path: Path) -> None:
    """The path goes through two shells (the login shell, then sh -c): nothing in it may run."""
    marker = tmp_path / "pwned"
    path = tmp_path / "a'b\"c $(touch pwned) `touch pwned`; touch pwned; \\ .vcr"
    path.write_bytes(b"line\n")
    done = subprocess.run(
        ["bash", "-c", remote_command(str(path), 0, 0, follow=False)],
        capture_output=True,
        timeout=10,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ready_mark("0") + b"line\n"
    assert not marker.exists()


class LineWatcher:
    """Lines of a child's stdout as they come, so a test waits for one rather than for a time."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.lines: list[bytes] = []
        self._stream = stream
        self._arrived = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        for line in self._stream:
            with self._arrived:
                self.lines.append(line)
                self._arrived.notify_all()

    def wait_for(self, done: Callable[[list[bytes]], bool], what: str, timeout: float = 60) -> None:
        with self._arrived:
            assert self._arrived.wait_for(lambda: done(self.lines), timeout), f"no {what} in {self.lines}"


def test_real_tail_notices_are_recognised_and_data_is_not(tmp_path: Path) -> None:
    """Run ``tail -F`` with stderr merged, replace and truncate the file, and read the stream."""
    path = tmp_path / "run.vcr"
    path.write_bytes(b'{"type":"frame","data":{"note":"tail: x: file truncated"}}\n')
    tail = subprocess.Popen(
        ["sh", "-c", remote_script(str(path), 0, 0, follow=True)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert tail.stdout is not None

    def restarts(lines: list[bytes]) -> int:
        return [tail_notice(line) for line in lines[1:]].count("restart")

    try:
        watcher = LineWatcher(tail.stdout)
        watcher.wait_for(lambda lines: len(lines) >= 2, "first line")  # the ready mark, then the frame
        replacement = tmp_path / "new"
        replacement.write_bytes(b"new\n")
        os.replace(replacement, path)
        watcher.wait_for(lambda lines: b"new\n" in lines, "line of the replacement")
        path.write_bytes(b"")
        watcher.wait_for(lambda lines: restarts(lines) >= 2, "notice of the truncation")
    finally:
        tail.terminate()
        tail.wait(timeout=30)
    lines = watcher.lines
    assert lines[0] == ready_mark("0")
    kinds = [tail_notice(line) for line in lines[1:]]
    assert kinds[0] is None  # a frame that merely mentions a notice is data
    assert restarts(lines) >= 2, lines  # replaced, then truncated


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (b"tail: 'run.vcr' has been replaced;  following new file\n", "restart"),
        (b"tail: run.vcr: file truncated\n", "restart"),
        (b"tail: 'run.vcr' has appeared;  following new file\n", "restart"),
        (b'{"type":"frame","data":{"no":tail: \'run.vcr\' has been replaced;  following new file\n', "restart"),
        (b"tail: 'run.vcr' has become inaccessible: No such file or directory\n", "gone"),
        (b"tail: inotify cannot be used, reverting to polling\n", "ignore"),
        (b'{"type":"frame","data":{"x":"tail: y: file truncated"}}\n', None),
        (b"tail: something new\n", None),
    ],
)
def test_tail_notice(line: bytes, kind: str | None) -> None:
    assert tail_notice(line) == kind


@pytest.mark.parametrize(
    ("stderr", "kind", "words"),
    [
        ("root@h: Permission denied (publickey).\r\n", FailureKind.AUTH, "could not log in"),
        ('Load key "k": bad permissions\nPermission denied (publickey).', FailureKind.AUTH, "could not log in"),
        (
            "No ED25519 host key is known for [h]:22 and you have requested strict checking.\n"
            "Host key verification failed.",
            FailureKind.HOST_KEY,
            "unknown here",
        ),
        (
            "@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nHost key verification failed.",
            FailureKind.HOST_KEY,
            "CHANGED",
        ),
        ("ssh: connect to host h port 2: Connection refused", FailureKind.REFUSED, "refused"),
        ("ssh: connect to host h port 22: Connection timed out", FailureKind.TIMEOUT, "within 5 s"),
        ("ssh: Could not resolve hostname nope: Name or service not known", FailureKind.HOST_NAME, "unknown host"),
        ("ssh: connect to host h port 22: No route to host", FailureKind.UNREACHABLE, "unreachable"),
        ("/x/config: line 1: Bad configuration option: nope", FailureKind.CONFIG, "configuration"),
        ("Timeout, server h not responding.", FailureKind.DROPPED, "lost"),
        ("Connection to h closed by remote host.", FailureKind.DROPPED, "lost"),
    ],
)
def test_ssh_errors_become_clear_messages(stderr: str, kind: FailureKind, words: str) -> None:
    failure = classify(255, stderr, target="h", path="/r.vcr", connected=False, connect_timeout=5)
    assert failure.kind is kind
    assert words in failure.message
    assert failure.is_fatal(was_connected=False)


def test_only_futile_failures_stop_a_link_that_worked() -> None:
    def kind_after_connect(stderr: str, returncode: int = 255) -> bool:
        failure = classify(returncode, stderr, target="h", path="/r", connected=True, connect_timeout=5)
        return failure.is_fatal(was_connected=True)

    assert not kind_after_connect("Connection to h closed by remote host.")
    assert not kind_after_connect("ssh: connect to host h port 22: Connection refused")
    assert not kind_after_connect("", returncode=66)  # missing: a rotation in progress
    assert not kind_after_connect("", returncode=-9)
    assert kind_after_connect("Permission denied (publickey).")
    assert kind_after_connect("Host key verification failed.")


def test_text_from_the_other_side_cannot_drive_the_terminal() -> None:
    banner = "\x1b]0;owned\x07\x1b[2J[bold red]hi[/]"
    failure = classify(255, banner, target="h", path="/r", connected=False, connect_timeout=5)
    assert "\x1b" not in failure.message + failure.detail and "\x07" not in failure.detail
    assert printable("a\x1bb\nc") == "a\\x1bb\nc"


def test_the_ssh_command_line() -> None:
    location = RemotePath(host="box", path="/r/run.vcr", user="me", port=2222)
    os.environ["VCR_TUI_SSH_ARGS"] = "-F '/tmp/my config'"
    try:
        command = SSHOptions(connect_timeout=3).command(location, "REMOTE")
    finally:
        del os.environ["VCR_TUI_SSH_ARGS"]
    assert command[-3:] == ["--", "box", "REMOTE"]
    for option in ("BatchMode=yes", "ConnectTimeout=3", "ServerAliveInterval=5", "ServerAliveCountMax=3"):
        assert option in command
    joined = " ".join(command)
    assert "-p 2222" in joined and "-l me" in joined and "-F /tmp/my config" in joined
