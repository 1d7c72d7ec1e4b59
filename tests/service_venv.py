"""Real servers for the tests (an S3 API, an OpenTelemetry backend), each from a cached throwaway venv.

moto and Arize Phoenix are large and pull in versions of common packages that the project's own
venv should not be made to share, so each lives in a virtualenv of its own under
``$VCR_TUI_PEER_CACHE`` (else ``~/.cache/vcr-tui-tests``), built once and reused; the server runs
from there as a subprocess on 127.0.0.1 and a free port. Without the network on a first run the
tests that need the server skip, saying why.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import venv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.peer_venv import cache_root, pip_install

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


def _python(folder: Path) -> Path:
    return folder / "bin" / "python"


def _works(python: Path, probe: str) -> bool:
    if not python.exists():
        return False
    done = subprocess.run([str(python), "-c", f"import {probe}"], capture_output=True, timeout=300, check=False)
    return done.returncode == 0


def ensure_tool(spec: ToolSpec, root: Path | None = None) -> Path:
    """The interpreter of the cached venv for ``spec``, built on first use; ToolUnavailable says why.

    Built under a temporary name and renamed into place once its probe imports, so an interrupted
    build is never trusted later. The servers are run as ``python -m``, so the rename is safe.
    """
    root = root or cache_root()
    target = root / f"{spec.name}-py{sys.version_info.major}.{sys.version_info.minor}"
    if _works(_python(target), spec.probe):
        return _python(target)
    building = root / f"{target.name}.building-{os.getpid()}"
    try:
        root.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(building, ignore_errors=True)
        venv.create(building, with_pip=True, clear=True, symlinks=True)
        failure = pip_install(_python(building), list(spec.requirements), "-q", timeout=PIP_TIMEOUT_S)
        if failure is not None:
            raise ToolUnavailable(f"pip could not install {' '.join(spec.requirements)} (offline?): {failure}")
        if not _works(_python(building), spec.probe):
            raise ToolUnavailable(f"{spec.name} installed but `import {spec.probe}` fails")
        if not _works(_python(target), spec.probe):
            shutil.rmtree(target, ignore_errors=True)
            with contextlib.suppress(OSError):  # another run finished first: use its venv
                building.rename(target)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ToolUnavailable(f"could not build a venv for {spec.name} in {root}: {exc}") from exc
    finally:
        shutil.rmtree(building, ignore_errors=True)
    if not _works(_python(target), spec.probe):
        raise ToolUnavailable(f"the venv for {spec.name} at {target} does not work")
    return _python(target)


_known: dict[str, Path | ToolUnavailable] = {}


def require_tool(spec: ToolSpec) -> Path:
    """The tool's interpreter (built once per test session), or skip the calling test saying why."""
    import pytest

    if spec.name not in _known:
        try:
            _known[spec.name] = ensure_tool(spec)
        except ToolUnavailable as exc:
            _known[spec.name] = exc
    found = _known[spec.name]
    if isinstance(found, ToolUnavailable):
        pytest.skip(f"{spec.name} unavailable: {found}")
    return found


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
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
