"""Following a recording through a real OpenSSH server on 127.0.0.1 (see sshd.py)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.support.source_support import drain_until, go, record, seqs, start_writer
from tests.support.sshd import SSHDUnavailable, SSHServer, running_sshd, sshd_server_fixture  # noqa: F401  (the fixture)
from vcr_tui.sources import Source, SourceState, SSHOptions, open_source
from vcr_tui.sources.ssh import SSHFeeder

WRITER = """
import sys, time
from recorder import VCRRecorder
folder, count, pause = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
recorder = VCRRecorder(folder)
recorder.start_session(session_id="remote")
print(recorder.path, flush=True)
sys.stdin.readline()  # go
for seq in range(count):
    recorder.record_step(f"step-{seq}", {"seq": seq}, {"seq": seq, "pad": "z" * (seq * 41 % 800)})
    if pause:
        time.sleep(pause)
recorder.close()
"""


def options(config: Path, **changes: object) -> SSHOptions:
    settings: dict[str, object] = {
        "extra_args": ("-F", str(config)),
        "connect_timeout": 30,  # a loaded machine may be slow to answer; a refused port fails at once
        "use_environment": False,
        "backoff": (0.2, 0.5),
    }
    settings.update(changes)
    return SSHOptions(**settings)  # type: ignore[arg-type]


def feeder(source: Source) -> SSHFeeder:
    assert isinstance(source.feeder, SSHFeeder)
    return source.feeder


def test_a_remote_recording_is_followed_as_it_grows(sshd_server: SSHServer, tmp_path: Path) -> None:
    count = 300
    writer, path = start_writer(WRITER, tmp_path, count, 0.002)
    try:
        with open_source(sshd_server.url(path), ssh_options=options(sshd_server.config)) as source:
            source.start()
            drain_until(source, lambda: source.status.state is SourceState.LIVE)
            go(writer)
            updates = drain_until(source, lambda: len(source.reader) >= count and writer.poll() is not None)
            assert writer.wait(timeout=10) == 0
            assert seqs(source) == list(range(count))
            assert not any(update.reset for update in updates)
            assert source.reader.session.session_id == "remote"
            assert source.reader.path.name == path.name  # the spool is named like the remote file
            assert feeder(source).connections == 1
    finally:
        writer.kill()
        writer.wait()


@pytest.mark.parametrize("victim", ["ssh client", "sshd session"])
def test_a_killed_connection_resumes_without_duplicates_or_gaps(
    sshd_server: SSHServer, tmp_path: Path, victim: str
) -> None:
    count = 400
    writer, path = start_writer(WRITER, tmp_path, count, 0.004)
    try:
        with open_source(sshd_server.url(path), ssh_options=options(sshd_server.config)) as source:
            source.start()
            drain_until(source, lambda: source.status.state is SourceState.LIVE)
            sessions_before = set(sshd_server.session_pids())
            go(writer)
            drain_until(source, lambda: len(source.reader) >= 60)
            if victim == "ssh client":
                pid = feeder(source).pid
                assert pid is not None
                os.kill(pid, signal.SIGKILL)
            else:
                sessions = [pid for pid in sshd_server.session_pids() if pid not in sessions_before] or [
                    *sshd_server.session_pids()
                ]
                assert sessions, "the connection's sshd process should be visible"
                for pid in sessions:
                    psutil.Process(pid).kill()
            updates = drain_until(
                source, lambda: source.status.state is not SourceState.LIVE or feeder(source).connections > 1
            )
            updates += drain_until(source, lambda: len(source.reader) >= count and writer.poll() is not None)
            assert writer.wait(timeout=10) == 0
            assert seqs(source) == list(range(count))
            assert feeder(source).connections >= 2
            assert not any(update.reset for update in updates), "a resume must not start over"
            assert source.status.state is SourceState.LIVE
    finally:
        writer.kill()
        writer.wait()


def test_a_remote_file_replaced_while_followed_starts_over(sshd_server: SSHServer, tmp_path: Path) -> None:
    path = record(tmp_path, "first", 5)
    with open_source(sshd_server.url(path), ssh_options=options(sshd_server.config)) as source:
        source.start()
        drain_until(source, lambda: len(source.reader) == 5)
        os.replace(record(tmp_path / "b", "second", 3), path)  # how the peer 1.5.x saves
        updates = drain_until(source, lambda: _who(source) == {"second"} and len(source.reader) == 3)
        assert any(update.reset for update in updates)
        assert feeder(source).connections == 2  # tail's notice cut the stream; the check found a new file
        path.write_bytes(record(tmp_path / "c", "third", 2).read_bytes())  # truncate and rewrite in place
        updates = drain_until(source, lambda: _who(source) == {"third"} and len(source.reader) == 2)
        assert any(update.reset for update in updates)
        assert feeder(source).connections == 3
        with path.open("ab") as handle:  # and it keeps following the new file
            handle.write(record(tmp_path / "d", "third", 3).read_bytes().splitlines(keepends=True)[3])
        drain_until(source, lambda: len(source.reader) == 3)
        assert source.status.state is SourceState.LIVE


def test_a_removed_remote_file_is_waited_for(sshd_server: SSHServer, tmp_path: Path) -> None:
    path = record(tmp_path, "first", 3)
    with open_source(sshd_server.url(path), ssh_options=options(sshd_server.config)) as source:
        source.start()
        drain_until(source, lambda: len(source.reader) == 3)
        path.unlink()
        drain_until(source, lambda: source.status.state is SourceState.WAITING)
        assert len(source.reader) == 3  # what was seen stays
        os.replace(record(tmp_path / "b", "back", 4), path)
        drain_until(source, lambda: _who(source) == {"back"} and len(source.reader) == 4)
        drain_until(source, lambda: source.status.state is SourceState.LIVE)


def test_a_frozen_server_is_noticed_by_keepalives_and_left(sshd_server: SSHServer, tmp_path: Path) -> None:
    """A link that goes silent (no reset, no close) must not hang the view forever."""
    path = record(tmp_path, "frozen", 2)
    quick = options(sshd_server.config, alive_interval=1, alive_count=2)
    frozen: list[psutil.Process] = []
    try:
        with open_source(sshd_server.url(path), ssh_options=quick) as source:
            sessions_before = set(sshd_server.session_pids())
            source.start()
            drain_until(source, lambda: len(source.reader) == 2 and source.status.state is SourceState.LIVE)
            frozen = [psutil.Process(pid) for pid in sshd_server.session_pids() if pid not in sessions_before]
            assert frozen
            for process in frozen:
                process.suspend()
            drain_until(source, lambda: source.status.state is SourceState.RECONNECTING, timeout=20)
            assert "lost" in source.status.message
            drain_until(source, lambda: feeder(source).connections >= 2 and source.status.state is SourceState.LIVE)
            assert seqs(source) == [0, 1]
    finally:
        for process in frozen:
            with contextlib.suppress(psutil.Error):
                process.kill()


def _who(source: Source) -> set[str]:
    with source.reader.locked() as reader:
        return {reader.frame(i).output_state["who"] for i in range(len(reader))}


def test_a_file_replaced_during_a_drop_is_reloaded_on_reconnect(sshd_server: SSHServer, tmp_path: Path) -> None:
    path = record(tmp_path, "before", 6)
    slow = options(sshd_server.config, backoff=(1.0,))
    with open_source(sshd_server.url(path), ssh_options=slow) as source:
        source.start()
        drain_until(source, lambda: len(source.reader) == 6 and source.status.state is SourceState.LIVE)
        pid = feeder(source).pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        os.replace(record(tmp_path / "b", "after", 8), path)  # longer: only the overlap check tells
        updates = drain_until(source, lambda: _who(source) == {"after"} and len(source.reader) == 8)
        assert any(update.reset for update in updates)


def test_an_odd_remote_path_is_quoted_for_the_remote_shell(sshd_server: SSHServer, tmp_path: Path) -> None:
    folder = tmp_path / "it's a $(run) dir"
    path = record(folder, "quoted", 2)
    with open_source(sshd_server.url(path), ssh_options=options(sshd_server.config)) as source:
        source.start()
        drain_until(source, lambda: len(source.reader) == 2)
        assert _who(source) == {"quoted"}


def test_not_following_reads_the_whole_file_and_ends(sshd_server: SSHServer, tmp_path: Path) -> None:
    path = record(tmp_path, "once", 4)
    with path.open("ab") as handle:
        handle.write(b'{"type":"frame","data":{"node_name":"last, without newline"}}')
    with open_source(sshd_server.url(path), follow=False, ssh_options=options(sshd_server.config)) as source:
        source.start()
        drain_until(source, lambda: source.status.state is SourceState.ENDED)
        assert len(source.reader) == 5
        assert source.reader.frame(4).node_name == "last, without newline"


def test_the_scp_form_with_an_ssh_config_alias(sshd_server: SSHServer, tmp_path: Path) -> None:
    path = record(tmp_path, "alias", 2)
    config = sshd_server.client_config("alias_config", HostName="127.0.0.1", Port=str(sshd_server.port))
    with open_source(f"testbox:{path}", ssh_options=options(config)) as source:
        source.start()
        drain_until(source, lambda: len(source.reader) == 2)


@pytest.fixture(scope="module")
def chatty_sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SSHServer]:
    """A server whose login prints on stdout before the command runs, like a noisy .bashrc."""
    noise = 'echo Welcome to the box; echo \'{"type":"frame","data":{"node_name":"motd"}}\''
    try:
        with running_sshd(
            tmp_path_factory.mktemp("chatty"), f'ForceCommand {noise}; eval "$SSH_ORIGINAL_COMMAND"\n'
        ) as server:
            yield server
    except SSHDUnavailable as exc:
        pytest.skip(f"no OpenSSH server can run here: {exc}")


def test_login_noise_on_stdout_never_reaches_the_recording(chatty_sshd: SSHServer, tmp_path: Path) -> None:
    path = record(tmp_path, "quiet", 3)
    with open_source(chatty_sshd.url(path), ssh_options=options(chatty_sshd.config)) as source:
        source.start()
        drain_until(source, lambda: len(source.reader) == 3 and source.status.state is SourceState.LIVE)
        pid = feeder(source).pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)  # the resume must count bytes of the file only
        with path.open("ab") as handle:
            handle.write(record(tmp_path / "more", "quiet", 4).read_bytes().splitlines(keepends=True)[4])
        drain_until(source, lambda: len(source.reader) == 4 and feeder(source).connections == 2)
        assert seqs(source) == [0, 1, 2, 3]
        assert source.reader.problems_so_far == []
        assert source.reader.path.read_bytes() == path.read_bytes()  # the spool is the file, byte for byte


# -- failures: each ends with a clear message, quickly, never a hang --------------------------


def expect_failure(source: Source, *words: str) -> str:
    with source:
        source.start()
        drain_until(source, lambda: source.status.state is SourceState.FAILED, timeout=20)
        message = source.status.message
        print(message)
        for word in words:
            assert word in message, message
        assert feeder(source).pid is None  # no ssh left running
        return message


def test_a_wrong_key_is_an_authentication_failure(sshd_server: SSHServer, tmp_path: Path) -> None:
    path = record(tmp_path, "auth", 1)
    config = sshd_server.client_config("wrong_key", IdentityFile=str(sshd_server.folder / "other_key"))
    message = expect_failure(open_source(sshd_server.url(path), ssh_options=options(config)), "could not log in")
    assert "Permission denied" in message


def test_an_unknown_host_key_is_refused_under_strict_checking(sshd_server: SSHServer, tmp_path: Path) -> None:
    path = record(tmp_path, "hostkey", 1)
    empty = sshd_server.folder / "empty_known_hosts"
    empty.write_text("")
    config = sshd_server.client_config("strict", UserKnownHostsFile=str(empty), StrictHostKeyChecking="yes")
    expect_failure(open_source(sshd_server.url(path), ssh_options=options(config)), "host key", "unknown here")


def test_a_changed_host_key_is_called_out(sshd_server: SSHServer, tmp_path: Path) -> None:
    path = record(tmp_path, "hostkey", 1)
    forged = sshd_server.folder / "forged_known_hosts"
    other_key = (sshd_server.folder / "other_key.pub").read_text().split()
    forged.write_text(f"[127.0.0.1]:{sshd_server.port} {other_key[0]} {other_key[1]}\n")
    config = sshd_server.client_config("forged", UserKnownHostsFile=str(forged), StrictHostKeyChecking="yes")
    expect_failure(open_source(sshd_server.url(path), ssh_options=options(config)), "CHANGED")


def test_a_missing_remote_file_is_named(sshd_server: SSHServer, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.vcr"
    source = open_source(sshd_server.url(missing), ssh_options=options(sshd_server.config))
    expect_failure(source, "no such file", str(missing))


def test_a_remote_folder_is_not_a_recording(sshd_server: SSHServer, tmp_path: Path) -> None:
    source = open_source(sshd_server.url(tmp_path), ssh_options=options(sshd_server.config))
    expect_failure(source, "is a folder")


def test_a_closed_port_is_a_refused_connection(sshd_server: SSHServer, tmp_path: Path) -> None:
    path = record(tmp_path, "refused", 1)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]  # bound, never listening: connections are refused
        url = f"ssh://{sshd_server.user}@127.0.0.1:{closed_port}{path}"
        expect_failure(open_source(url, ssh_options=options(sshd_server.config)), "refused")


def test_a_missing_ssh_client_is_named(tmp_path: Path) -> None:
    source = open_source("somewhere:run.vcr", ssh_options=SSHOptions(ssh_command=str(tmp_path / "no-ssh")))
    expect_failure(source, "cannot run the ssh client", "OpenSSH")
