"""The real program in a pseudo-terminal, for benches that time what a user would see.

Timing a Textual app from the inside (Pilot) misses the terminal: rendering, escape sequences and
the write to the tty. These benches start ``vcr-tui`` in a pty of a fixed size and watch its
output for text, so a figure means "until it was on the screen".
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

COLUMNS, ROWS = 120, 35
_ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=]*[A-Za-z~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[=>78]")


def visible(data: bytes) -> bytes:
    """The output without escape sequences, so text split by style changes reads as one."""
    return _ESCAPES.sub(b"", data)


def vcr_tui_argv(*arguments: str) -> list[str]:
    """The command line that runs this checkout's ``vcr-tui`` with ``arguments``."""
    return [sys.executable, "-c", "from vcr_tui.cli import main; main()", *arguments]


class Terminal:
    """The program running in a pseudo-terminal, with its output collected as it comes."""

    def __init__(self, argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: become the program
            if cwd is not None:
                os.chdir(cwd)
            os.environ.update(TERM="xterm-256color", COLUMNS=str(COLUMNS), LINES=str(ROWS), **(env or {}))
            for name in ("NO_COLOR", "TEXTUAL_ANIMATIONS", "TEXTUAL_THEME"):
                os.environ.pop(name, None)
            os.execv(argv[0], argv)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self.output = bytearray()

    def read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.fd, 1 << 16)
        except OSError:
            return False
        self.output += chunk
        return bool(chunk)

    def wait_for(self, patterns: list[bytes], since: int, timeout: float = 30.0, poll: float = 0.005) -> float:
        """Seconds until every pattern has been drawn after output offset ``since``."""
        start = time.perf_counter()
        while True:
            window = visible(bytes(self.output[since:]))
            if all(pattern in window for pattern in patterns):
                return time.perf_counter() - start
            if time.perf_counter() - start > timeout:
                raise TimeoutError(f"{patterns} not seen in {timeout} s")
            self.read(poll)

    def drain(self, quiet: float = 0.3) -> None:
        """Read until the program has been silent for ``quiet`` seconds."""
        while self.read(quiet):
            pass

    def press(self, key: bytes) -> int:
        """Send keys; returns the output offset to wait from."""
        mark = len(self.output)
        os.write(self.fd, key)
        return mark

    def cpu_seconds(self) -> float:
        """User plus system CPU time the program has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def close(self) -> None:
        """Quit with ``q``; kill the program if it has not exited within five seconds."""
        try:
            os.write(self.fd, b"q")
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                done, _ = os.waitpid(self.pid, os.WNOHANG)
                if done:
                    break
                self.read(0.05)
            else:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        finally:
            os.close(self.fd)
