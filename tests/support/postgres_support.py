"""A real PostgreSQL server for the tests: Debian's ``postgresql`` binaries, a cluster in a temp folder.

The cluster is made by ``initdb`` in a temporary folder and served by ``postgres`` on 127.0.0.1 and
a free port (its socket in that folder too), once per test session, and stopped afterwards.
PostgreSQL refuses to run as root, so under root (as in CI) the server runs as the ``postgres``
user the Debian package creates. Tests skip, saying why, where the binaries are not installed.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.service_venv import free_port

START_DEADLINE_S = 60


def server_binaries() -> Path | None:
    """The folder holding ``initdb`` and ``postgres``: Debian keeps them off PATH, one folder per version."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _as_server_user() -> dict[str, Any]:
    """``subprocess`` arguments that run the server as ``postgres`` when this process is root."""
    if os.geteuid() != 0:
        return {}
    return {"user": "postgres", "group": "postgres"}


def _wait_until_ready(binaries: Path, port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_DEADLINE_S
    ready = binaries / "pg_isready"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"postgres exited ({process.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        probe = subprocess.run(
            [str(ready), "-q", "-h", "127.0.0.1", "-p", str(port), "-t", "2"], capture_output=True, check=False
        )
        if probe.returncode == 0:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=0.2)  # a bounded pause that also notices an early exit
    raise AssertionError(f"postgres did not accept connections within {START_DEADLINE_S} s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def running_postgres() -> Iterator[str]:
    """A fresh cluster served on 127.0.0.1; yields its DSN (user ``vcr``, no password, trusted locally)."""
    binaries = server_binaries()
    if binaries is None or not (binaries / "postgres").exists():
        pytest.skip("PostgreSQL server binaries not installed (Debian package postgresql)")
    as_user = _as_server_user()
    with tempfile.TemporaryDirectory(prefix="vcr-tui-pg-") as scratch:
        folder = Path(scratch)
        if as_user:
            os.chown(folder, *_ids("postgres"))
        data, log = folder / "data", folder / "postgres.log"
        made = subprocess.run(
            [str(binaries / "initdb"), "-D", str(data), "-U", "vcr", "--auth=trust", "-E", "UTF8", "--no-locale"],
            capture_output=True,
            text=True,
            check=False,
            **as_user,
        )
        if made.returncode != 0:
            pytest.skip(f"initdb could not make a cluster here: {(made.stderr or made.stdout).strip()[-300:]}")
        port = free_port()
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    str(binaries / "postgres"),
                    "-D",
                    str(data),
                    "-p",
                    str(port),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    f"unix_socket_directories={folder}",
                    "-c",
                    "fsync=off",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **as_user,
            )
        try:
            _wait_until_ready(binaries, port, process, log)
            yield f"postgresql://vcr@127.0.0.1:{port}/postgres"
        finally:
            process.send_signal(signal.SIGINT)  # "fast" shutdown: ends sessions, no waiting on clients
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def _ids(name: str) -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam(name)
    return entry.pw_uid, entry.pw_gid


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    with running_postgres() as dsn:
        yield dsn
