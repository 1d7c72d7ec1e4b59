"""Following a recording on another host in the app, through a real sshd on 127.0.0.1 (sshd.py).

The app is pointed at the test server the way a user would point it at a jump host or a special
key: ssh arguments in ``VCR_TUI_SSH_ARGS`` (here ``-F config``, which names the throwaway key
and known_hosts).
"""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

import pytest

from tests.support.app_support import assert_showing, file_screen, settle, status_text, wait_until
from tests.support.live_support import Writer, visible_rows
from tests.support.sshd import SSHServer, sshd_server_fixture  # noqa: F401  (the fixture)
from vcr_tui.app import VCRApp
from vcr_tui.logic.open_location import shown_path, stream_or_remote_source
from vcr_tui.screens.error_screen import ErrorScreen
from vcr_tui.sources import Source
from vcr_tui.sources.ssh import SSHFeeder

SIZE = (120, 35)


@pytest.fixture
def use_config(monkeypatch: pytest.MonkeyPatch):
    def use(config: Path) -> None:
        monkeypatch.setenv("VCR_TUI_SSH_ARGS", f"-F {config}")

    return use


def remote_app(argument: str) -> tuple[VCRApp, Source]:
    source = stream_or_remote_source(argument, follow=True)
    assert source is not None
    return VCRApp(shown_path(source), source=source), source


async def test_frames_of_a_remote_recording_arrive_and_follow(
    sshd_server: SSHServer, tmp_path: Path, use_config
) -> None:
    use_config(sshd_server.config)
    writer = Writer(tmp_path, session_id="remote", prefix="remote")
    writer.append(2)
    app, source = remote_app(sshd_server.url(writer.path))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = file_screen(app)
            await wait_until(pilot, lambda: screen.frame_list.frame_count == 2, "the remote frames")
            await wait_until(pilot, lambda: "LIVE" in status_text(pilot), "the LIVE marker")
            await settle(pilot)
            assert_showing(app, 1)  # a stream starts empty and follows its frames as they come
            assert screen.store.session.session_id == "remote"

            writer.append(5)
            await wait_until(pilot, lambda: screen.frame_list.cursor == 6, "the cursor to follow remote frames")
            await settle(pilot)
            assert_showing(app, 6)
            assert any("remote-6" in row for row in visible_rows(screen))

            await pilot.press("g")
            writer.append(3)
            await wait_until(pilot, lambda: "+3 new frames" in status_text(pilot), "three new frames counted")
            assert "PAUSED" in status_text(pilot)

            # A dropped connection: the client is killed; the app reconnects and resumes.
            feeder = source.feeder
            assert isinstance(feeder, SSHFeeder) and feeder.pid is not None
            os.killpg(feeder.pid, signal.SIGKILL)
            writer.append(4)
            await wait_until(pilot, lambda: feeder.connections >= 2, "a second connection")
            await wait_until(pilot, lambda: screen.frame_list.frame_count == 14, "the frames written meanwhile")
            await settle(pilot)
            names = [screen.store.row(index).node_name for index in range(14)]
            assert names == [f"remote-{seq}" for seq in range(14)]  # no duplicate, no gap
            await pilot.press("F")
            await settle(pilot)
            assert_showing(app, 13)
            assert "LIVE" in status_text(pilot)
    finally:
        source.close()
        writer.close()
    assert app.failure is None


async def test_a_wrong_key_shows_the_login_failure_on_screen(
    sshd_server: SSHServer, tmp_path: Path, use_config
) -> None:
    use_config(sshd_server.client_config("wrong_key", IdentityFile=str(sshd_server.folder / "other_key")))
    path = tmp_path / "run.vcr"
    path.write_bytes(b"")
    app, source = remote_app(sshd_server.url(path))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, ErrorScreen), "the error screen")
            message = app.screen.message
            assert "could not log in" in message and "Permission denied" in message
            await pilot.press("q")
            await pilot.pause()
    finally:
        source.close()
    assert app.return_code == 2
    assert app.failure is not None and "could not log in" in app.failure


async def test_a_missing_remote_file_says_so(sshd_server: SSHServer, tmp_path: Path, use_config) -> None:
    use_config(sshd_server.config)
    app, source = remote_app(sshd_server.url(tmp_path / "nowhere.vcr"))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, ErrorScreen), "the error screen")
            assert "no such file" in app.screen.message and "nowhere.vcr" in app.screen.message
    finally:
        source.close()
    assert app.failure is not None


def _closed_port() -> int:
    with socket.socket() as sock:  # bound, never listening: connections to it are refused
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("where", "words"),
    [
        (lambda path: f"ssh://127.0.0.1:{_closed_port()}{path}", ("refused the connection",)),
        (lambda path: f"nosuchhost.invalid:{path}", ("unknown host name", "nosuchhost.invalid")),
    ],
    ids=["refused", "unknown-host"],
)
async def test_unreachable_hosts_say_why(sshd_server: SSHServer, tmp_path: Path, use_config, where, words) -> None:
    use_config(sshd_server.config)
    app, source = remote_app(where(tmp_path / "run.vcr"))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, ErrorScreen), "the error screen")
            for word in words:
                assert word in app.screen.message
    finally:
        source.close()
    assert app.failure is not None
