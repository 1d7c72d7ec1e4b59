"""A real headless Chromium for the tests, driven by Playwright: Debian's browser, never a download.

``.ci/run`` installs the ``chromium`` package; Playwright's Python package drives it through
``executable_path``. Tests skip only when one of the two is missing. Screenshots are kept as
artefacts in ``$VCR_TUI_TEST_ARTEFACTS`` (default: ``vcr-tui-test-artefacts/`` in the system's
temporary folder), each run replacing the last one's pictures of the same name.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-B]|\x1b[=>78]")


def chromium_path() -> str:
    """Debian's Chromium, or a skip saying why there is none."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or ""):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.skip("Chromium is not installed (.ci/run installs Debian's chromium package)")


@contextmanager
def browser(user_data_dir: Path, **options: Any) -> Iterator[Any]:
    """A fresh headless Chromium (an empty profile in ``user_data_dir``), as a Playwright context."""
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    user_data_dir.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(user_data_dir),
            executable_path=executable,
            args=CHROMIUM_FLAGS,
            headless=True,
            viewport=options.pop("viewport", {"width": 1400, "height": 800}),
            **options,
        )
        try:
            yield context
        finally:
            context.close()


def screenshot(page: Any, name: str) -> Path:
    """Save what the page shows where the artefacts are kept, and say where."""
    folder = Path(os.environ.get("VCR_TUI_TEST_ARTEFACTS") or Path(tempfile.gettempdir()) / "vcr-tui-test-artefacts")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    print(f"screenshot: {path}")
    return path


def terminal_text(data: str) -> str:
    """What a terminal stream shows, escape sequences taken out."""
    return _ANSI.sub("", data)


class ServedScreen:
    """Everything the served app sent to one browser tab, as text, to wait on."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.received: list[str] = []
        page.on("websocket", self._watch)

    def _watch(self, socket: Any) -> None:
        def received(payload: str | bytes) -> None:
            self.received.append(payload if isinstance(payload, str) else payload.decode("utf-8", "replace"))

        socket.on("framereceived", received)

    def mark(self) -> int:
        """A point in the stream: ``wait_for`` after it sees only what came later."""
        return len(self.received)

    def text(self, since: int = 0) -> str:
        return terminal_text("".join(self.received[since:]))

    def wait_for(self, *needles: str, since: int = 0, timeout: float = 60.0) -> str:
        """Wait until every needle has been drawn since ``since``; the text seen."""
        deadline = time.monotonic() + timeout
        while True:
            seen = self.text(since)
            if all(needle in seen for needle in needles):
                return seen
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"never drawn: {[n for n in needles if n not in seen]}; last text: {seen[-2000:]!r}"
                )
            self.page.wait_for_timeout(50)  # lets Playwright deliver the frames that arrived meanwhile


class Served:
    """A ``vcr-tui serve`` process started by a test, with the URL it printed."""

    def __init__(self, *args: str, cwd: Path, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from vcr_tui.cli import main; main()", "serve", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,  # its own process group, as a shell gives a job; Ctrl-C is sent to it
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()  # blocks until the server listens, or ends on exit
        if " at " not in line:
            self.process.wait(timeout=30)
            raise AssertionError(
                f"serve did not start: {line!r} {self.process.stderr.read() if self.process.stderr else ''}"
            )
        self.url = line.rsplit(" at ", 1)[1].strip()
        self.base = self.url.split("/?", 1)[0]

    def stop(self) -> tuple[int, str]:
        """Ctrl-C (SIGINT to the job's process group); the exit status and what it said on stderr."""
        import signal

        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
        _, err = self.process.communicate(timeout=60)
        return self.process.returncode, err

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate(timeout=30)
