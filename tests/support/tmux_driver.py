"""A real terminal for end-to-end tests: a tmux server of the test's own, at a fixed size.

Each terminal runs its own server (``tmux -L``) so a test never touches a user's sessions, and
``close`` kills it whatever happened. The command runs in a shell that prints ``EXIT=<status>``
when the program ends and then lingers, so a test can read the exit status off the screen.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

DEADLINE = 30.0


class TmuxTerminal:
    def __init__(self, name: str, size: tuple[int, int] = (120, 35)) -> None:
        self.base = ["tmux", "-L", f"{name}-{os.getpid()}-{uuid.uuid4().hex[:6]}", "-f", "/dev/null"]
        self.size = size

    def start(self, command: str, env: dict[str, str], cwd: Path | None = None) -> None:
        """Run ``command`` through a shell with ``env`` added to this process's environment."""
        width, height = self.size
        where = ["-c", str(cwd)] if cwd is not None else []
        subprocess.run(
            [*self.base, "new-session", "-d", "-x", str(width), "-y", str(height), *where],
            check=True,
            env={**os.environ, "TERM": "xterm-256color", **env},
        )
        shell = f"{command}; echo EXIT=$?; sleep 60"
        subprocess.run([*self.base, "respawn-pane", "-k", "-t", ":0.0", *where, shell], check=True)

    def screen(self) -> str:
        return subprocess.run([*self.base, "capture-pane", "-p"], check=False, capture_output=True, text=True).stdout

    def wait_for(self, *texts: str, deadline: float = DEADLINE) -> str:
        """The screen once every text is on it; fails with the screen shown after ``deadline``."""
        give_up = time.monotonic() + deadline
        while True:
            shown = self.screen()
            if all(text in shown for text in texts):
                return shown
            if time.monotonic() > give_up:
                raise AssertionError(f"never saw {texts} on screen:\n{shown}")
            time.sleep(0.1)

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.base, "send-keys", *keys], check=True)

    def close(self) -> None:
        """Kill the server: the program gets SIGHUP, as when a terminal window closes."""
        subprocess.run([*self.base, "kill-server"], check=False, capture_output=True)


@contextlib.contextmanager
def tmux_terminal(name: str, size: tuple[int, int] = (120, 35)) -> Iterator[TmuxTerminal]:
    terminal = TmuxTerminal(name, size)
    try:
        yield terminal
    finally:
        terminal.close()
