"""``vcr-tui serve``: the real server, the real app per tab, a real headless Chromium.

The served screen is read from what the server streams to the page (the terminal output the
browser's terminal draws); screenshots of the page are kept as artefacts.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

from tests.support.browser_support import Served, ServedScreen, browser, screenshot
from tests.support.cli_support import assert_one_line_failure, run_cli
from tests.support.vcr_lines import frame, header
from vcr_tui.serve import is_loopback

SAMPLE_PATH = Path(__file__).resolve().parents[2] / "vcr_tui" / "samples" / "sample.vcr"

pytest.importorskip("textual_serve", reason="the textual-serve package is not installed")


@pytest.fixture
def served(tmp_path: Path):
    server = Served(str(SAMPLE_PATH), "--port", "0", cwd=tmp_path)
    yield server
    server.close()


def status_of(url: str, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def open_tab(context, url: str) -> ServedScreen:
    page = context.new_page()
    screen = ServedScreen(page)
    page.goto(url)
    screen.wait_for("Frames · 13", "tool:get_forecast", "sample_weather_report")
    page.locator("textarea").first.focus()  # the terminal's keyboard input
    return screen


def press(screen: ServedScreen, key: str, *needles: str) -> str:
    since = screen.mark()
    screen.page.keyboard.press(key)
    return screen.wait_for(*needles, since=since)


def test_the_debugger_in_a_browser_tab(served: Served, tmp_path: Path) -> None:
    with browser(tmp_path / "profile") as context:
        screen = open_tab(context, served.url)
        assert "llm:gpt-4o-mini" in screen.text()
        assert 'task: "Write a short weather report for Lisbon and Porto"' in screen.text()  # the state tree
        screenshot(screen.page, "serve-first-screen")
        press(screen, "j", "#1 ◆ llm")
        # e: $EDITOR cannot take over a browser tab, so the in-app editor opens, and says why
        shown = press(screen, "e", "editing here instead", "ctrl+s")
        assert "$EDITOR cannot open in a browser" in shown
        assert '"messages"' in shown
        screenshot(screen.page, "serve-editor")
        press(screen, "Escape", "Edit cancelled")
        press(screen, "j", "#2 ■ tool")
        press(screen, "r", "the agent to resume with: module:callable")  # r asks for an agent, as in the terminal
        press(screen, "Escape", "#2 ■ tool")  # nothing typed: nothing runs
        screenshot(screen.page, "serve-after-keys")


def test_every_request_needs_the_token(served: Served) -> None:
    assert status_of(served.url) == 200
    for path in ("/", "/ws", "/static/js/textual.js", "/download/x"):
        assert status_of(served.base + path) == 403, path
        assert status_of(served.base + path + "?token=wrong") == 403, path
    cookie = {"Cookie": f"vcr-tui-token-{served.base.rsplit(':', 1)[1]}=wrong"}
    assert status_of(served.base + "/static/js/textual.js", cookie) == 403
    with urllib.request.urlopen(served.url, timeout=30) as response:
        body = response.read().decode()
        set_cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
    assert "googleapis" not in body and "https://" not in body  # nothing loaded from elsewhere
    good = {"Cookie": set_cookie.split(";", 1)[0]}
    assert status_of(served.base + "/static/js/textual.js", good) == 200


def test_a_websocket_needs_the_token_and_this_origin(served: Served) -> None:
    """The websocket handshake itself, over a raw socket: without the token, or from another site, 403."""
    token = served.url.split("token=", 1)[1]
    port = int(served.base.rsplit(":", 1)[1])

    def handshake(path: str, origin: str | None) -> str:
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: 127.0.0.1:{port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version: 13",
        ]
        if origin:
            lines.append(f"Origin: {origin}")
        with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
            conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            return conn.recv(200).decode("latin-1").split("\r\n", 1)[0]

    assert " 403 " in handshake("/ws?width=80&height=24", None)
    assert " 403 " in handshake(f"/ws?width=80&height=24&token={token}", "http://evil.example")
    assert " 101 " in handshake(f"/ws?width=80&height=24&token={token}", f"http://127.0.0.1:{port}")


def test_a_refused_page_in_the_browser(served: Served, tmp_path: Path) -> None:
    with browser(tmp_path / "profile") as context:
        page = context.new_page()
        response = page.goto(served.base + "/")
        assert response is not None and response.status == 403
        assert "needs the token" in page.content()


@pytest.mark.slow
@pytest.mark.parametrize("how", ["ctrl-c", "sigterm-to-server", "server-killed"])
def test_stopping_leaves_no_app_process(tmp_path: Path, how: str) -> None:
    server = Served(str(SAMPLE_PATH), "--port", "0", cwd=tmp_path)
    try:
        with browser(tmp_path / "profile") as context:
            open_tab(context, server.url)
            open_tab(context, server.url)
            apps = psutil.Process(server.process.pid).children(recursive=True)
            assert len(apps) == 2, apps  # one app process per tab, started directly (no shell left between)
            assert all("vcr_tui.serve" in " ".join(app.cmdline()) for app in apps)
            if how == "ctrl-c":
                status, said = server.stop()
                assert status == 0, said
                assert "vcr-tui: stopped" in said and "Traceback" not in said
            elif how == "sigterm-to-server":
                server.process.send_signal(signal.SIGTERM)
                server.process.communicate(timeout=60)
                assert server.process.returncode == 0
            else:
                server.process.kill()  # no chance to close anything: the apps must still go
                server.process.communicate(timeout=60)
            _, alive = psutil.wait_procs(apps, timeout=30)
            assert alive == [], f"orphaned app processes: {alive}"
    finally:
        server.close()


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", str(SAMPLE_PATH), "--port", str(port), cwd=tmp_path)
    assert_one_line_failure(result, f"port {port}", "in use", "--port")


def test_a_bad_path_is_one_line(tmp_path: Path) -> None:
    assert_one_line_failure(run_cli("serve", str(tmp_path / "missing.vcr"), cwd=tmp_path), "no such file")
    assert_one_line_failure(run_cli("serve", cwd=tmp_path), "nothing to open")
    assert_one_line_failure(run_cli("serve", str(SAMPLE_PATH), "--agent", "no colon", cwd=tmp_path), "--agent")
    assert_one_line_failure(
        run_cli("serve", str(SAMPLE_PATH), "--host", "no-such-host.invalid", cwd=tmp_path), "--host"
    )


def test_without_textual_serve_is_one_line(tmp_path: Path) -> None:
    """The package made unimportable (a None entry in sys.modules is how Python spells absent)."""
    program = "import sys; sys.modules['textual_serve'] = None; from vcr_tui.cli import main; main()"
    result = run_cli("serve", str(SAMPLE_PATH), "--port", "0", cwd=tmp_path, argv=[sys.executable, "-c", program])
    assert_one_line_failure(result, "textual-serve", "pip install 'vcr-tui[serve]'")


def test_loopback_addresses() -> None:
    assert all(is_loopback(host) for host in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(host) for host in ("0.0.0.0", "::", "192.168.1.4", "example.com"))


def test_a_fixed_token(tmp_path: Path) -> None:
    server = Served(str(SAMPLE_PATH), "--port", "0", "--token", "s3cret-token", cwd=tmp_path)
    try:
        assert server.url.endswith("/?token=s3cret-token")
        assert status_of(server.url) == 200
        assert status_of(server.base + "/?token=s3cret") == 403
    finally:
        server.close()
    assert os.path.exists(SAMPLE_PATH)


def test_a_served_tab_follows_a_growing_recording(tmp_path: Path) -> None:
    recording = tmp_path / "live.vcr"
    recording.write_bytes(header("live-run") + frame("first_step", 0, session_id="live-run"))
    server = Served(str(recording), "--port", "0", cwd=tmp_path)
    try:
        with browser(tmp_path / "profile") as context:
            page = context.new_page()
            screen = ServedScreen(page)
            page.goto(server.url)
            screen.wait_for("first_step", "live-run")
            since = screen.mark()
            with recording.open("ab") as out:
                out.write(frame("appended_while_open", 1, session_id="live-run"))
            screen.wait_for("appended_while_open", since=since)
    finally:
        server.close()
