"""The real ``vcr-tui`` following a pipe and a remote file in a real terminal (tmux), and its
one-line answers to addresses it cannot use."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.cli_support import PROGRAM, assert_one_line_failure, run_cli
from tests.support.live_support import Writer
from tests.support.sshd import SSHServer, sshd_server_fixture  # noqa: F401  (the fixture)
from tests.support.tmux_driver import tmux_terminal
from tests.support.vcr_lines import frame, header

DEADLINE = 30.0

needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def run_detached(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command line in a new session: no controlling terminal, stdin not a pipe either."""
    return run_cli(*args, cwd=cwd, detached=True)


# -- bad addresses: one line, exit status 2 ----------------------------------------------------------


def test_dash_without_a_terminal_for_the_keys_exits_2(tmp_path: Path) -> None:
    assert_one_line_failure(run_detached("-", cwd=tmp_path), "'-'", "terminal")


@pytest.mark.parametrize(
    ("argument", "words"),
    [
        ("ssh://host", ("names no file",)),
        ("ftp://host/run.vcr", ("unsupported address",)),
        ("ssh://host:99999/run.vcr", ("port",)),
        ("host:", ("no file",)),
    ],
)
def test_addresses_that_name_nothing_exit_2(tmp_path: Path, argument: str, words: tuple[str, ...]) -> None:
    assert_one_line_failure(run_detached(argument, cwd=tmp_path), *words)


def test_options_before_the_path_still_reach_open(tmp_path: Path) -> None:
    assert_one_line_failure(run_detached("--no-follow", "nope.vcr", cwd=tmp_path), "no such file or folder")
    helped = run_detached("open", "--help", cwd=tmp_path)
    assert helped.returncode == 0
    assert "--no-follow" in helped.stdout and "--ssh-option" in helped.stdout and "ssh://" in helped.stdout


# -- in a real terminal --------------------------------------------------------------------------------


def open_fifo_for_writing(path: Path) -> int:
    """Wait (with a deadline) for the reader at the other end, then open the fifo to write."""
    give_up = time.monotonic() + DEADLINE
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO or time.monotonic() > give_up:
                raise
            time.sleep(0.05)
            continue
        os.set_blocking(fd, True)
        return fd


@needs_tmux
def test_dash_reads_a_pipe_while_keys_come_from_the_terminal(tmp_path: Path) -> None:
    fifo = tmp_path / "feed"
    os.mkfifo(fifo)
    with tmux_terminal("vcr-live-pipe") as term:
        term.start(f"cat {fifo} | {PROGRAM} -", env={})
        fd = open_fifo_for_writing(fifo)
        try:
            os.write(fd, header("piped") + b"".join(frame(f"piped-{i}", i) for i in range(3)))
            term.wait_for("piped-2", "LIVE", "#2 (3/3)")
            term.keys("k")  # the pipe is stdin: this key can only come from the terminal
            term.wait_for("PAUSED", "#1 (2/3)")
            os.write(fd, frame("piped-3", 3) + frame("piped-4", 4))
            term.wait_for("piped-4", "+2 new frames", "#1 (2/5)")
            term.keys("F")
            term.wait_for("LIVE", "#4 (5/5)")
        finally:
            os.close(fd)
        term.wait_for("ENDED", "stdin closed")
        term.keys("q")
        term.wait_for("EXIT=0")


@needs_tmux
def test_a_remote_file_in_the_scp_form_with_an_ssh_option(sshd_server: SSHServer, tmp_path: Path) -> None:
    writer = Writer(tmp_path, session_id="far", prefix="far")
    try:
        writer.append(2)
        target = f"127.0.0.1:{writer.path}"  # the port comes from -o, the key from the config
        env = {"VCR_TUI_SSH_ARGS": f"-F {sshd_server.config}"}
        with tmux_terminal("vcr-live-scp") as term:
            term.start(f"{PROGRAM} -o Port={sshd_server.port} {target}", env=env)
            term.wait_for("far-1", "LIVE", "#1 (2/2)")
            writer.append(2)
            term.wait_for("far-3", "#3 (4/4)")
            term.keys("q")
            term.wait_for("EXIT=0")
    finally:
        writer.close()


@needs_tmux
def test_a_login_failure_is_shown_and_the_exit_status_is_2(sshd_server: SSHServer, tmp_path: Path) -> None:
    wrong = sshd_server.client_config("wrong_key_cli", IdentityFile=str(sshd_server.folder / "other_key"))
    path = tmp_path / "run.vcr"
    path.write_bytes(header("far"))
    with tmux_terminal("vcr-live-auth") as term:
        term.start(f"{PROGRAM} {sshd_server.url(path)}", env={"VCR_TUI_SSH_ARGS": f"-F {wrong}"})
        term.wait_for("Cannot open this recording", "could not log in")
        term.keys("q")
        shown = term.wait_for("EXIT=2")
        assert "Traceback" not in shown
        assert "vcr-tui: ssh could not log in" in shown  # the reason again, on stderr, after the app


@needs_tmux
def test_closing_the_terminal_cleans_up_the_remote_copy_and_ssh(sshd_server: SSHServer, tmp_path: Path) -> None:
    writer = Writer(tmp_path, session_id="far", prefix="far")
    spools = tmp_path / "spools"
    spools.mkdir()
    try:
        writer.append(2)
        env = {"VCR_TUI_SSH_ARGS": f"-F {sshd_server.config}", "TMPDIR": str(spools)}
        with tmux_terminal("vcr-live-hangup") as term:
            term.start(f"{PROGRAM} {sshd_server.url(writer.path)}", env=env)
            term.wait_for("far-1", "LIVE")
            assert list(spools.iterdir()), "the remote recording is copied into a private folder"
            assert sshd_server.session_pids()
            term.close()  # the terminal goes away: SIGHUP
            give_up = time.monotonic() + DEADLINE
            while list(spools.iterdir()) or sshd_server.session_pids():
                assert time.monotonic() < give_up, (list(spools.iterdir()), sshd_server.session_pids())
                time.sleep(0.1)
    finally:
        writer.close()
