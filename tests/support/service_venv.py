"""Real servers for the tests (an S3 API, an OpenTelemetry backend), each from a cached throwaway venv.

moto and Arize Phoenix are large and pull in versions of common packages that the project's own
venv should not be made to share, so each lives in a virtualenv of its own under
``$VCR_TUI_PEER_CACHE`` (else ``~/.cache/vcr-tui-tests``), built once and reused; the server runs
from there as a subprocess on 127.0.0.1 and a free port. Without the network on a first run the
tests that need the server skip, saying why.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.cached_venv import built_once, cache_root, cached_venv

PIP_TIMEOUT_S = 1500
START_DEADLINE_S = 120


@dataclass(frozen=True)
class ToolSpec:
    """A venv to build: its folder name, what pip installs, and a module that must import after."""

    name: str
    requirements: tuple[str, ...]
    probe: str


MOTO = ToolSpec("moto-server", ("moto[server]>=5",), "moto.server")
PHOENIX = ToolSpec("arize-phoenix", ("arize-phoenix>=8",), "phoenix.server.main")


class ToolUnavailable(Exception):
    """The tool could not be installed here; the message says why."""


def _works(python: Path, probe: str) -> bool:
    if not python.exists():
        return False
    done = subprocess.run([str(python), "-c", f"import {probe}"], capture_output=True, timeout=300, check=False)
    return done.returncode == 0


def ensure_tool(spec: ToolSpec, root: Path | None = None) -> Path:
    """The interpreter of the cached venv for ``spec``, built on first use; ToolUnavailable says why."""
    root = root or cache_root()
    return cached_venv(
        root / f"{spec.name}-py{sys.version_info.major}.{sys.version_info.minor}",
        list(spec.requirements),
        lambda python: _works(python, spec.probe),
        options=("-q",),
        timeout=PIP_TIMEOUT_S,
        probe=spec.probe,
        unavailable=ToolUnavailable,
    )


_known: dict[str, Path | Exception] = {}


def require_tool(spec: ToolSpec) -> Path:
    """The tool's interpreter (built once per test session), or skip the calling test saying why."""
    return built_once(_known, spec.name, lambda: ensure_tool(spec), ToolUnavailable, spec.name)


def free_port() -> int:
    """A port nothing listens on now (bound to 0, then released for the server to take)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_answers(
    url: str, process: subprocess.Popen[bytes], log: Path, deadline_s: float = START_DEADLINE_S
) -> None:
    """Poll ``url`` until it answers any HTTP status; fail with the server's log if it exits first."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"the server exited ({process.returncode}):\n{log.read_text(errors='replace')[-3000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answered
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.2)  # a bounded pause that also notices an early exit
    raise AssertionError(
        f"the server did not answer {url} within {deadline_s:.0f} s:\n{log.read_text(errors='replace')[-3000:]}"
    )


@contextlib.contextmanager
def running(
    command: list[str], url: str, log: Path, env: dict[str, str] | None = None, deadline_s: float = START_DEADLINE_S
) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``command`` (its output to ``log``), wait until ``url`` answers, stop it afterwards."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        wait_until_answers(url, process, log, deadline_s)
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ask a server to stop; kill it when it does not within 15 s."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)
