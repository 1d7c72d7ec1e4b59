"""A real OpenSSH server on 127.0.0.1 for the tests and the benchmark, with throwaway keys.

``/usr/sbin/sshd -D`` runs in the foreground as the current user on a free port, with a host key
and a user key made by ``ssh-keygen`` in a temporary folder, and logs to a file there. Clients get
an ssh config file (``SSHServer.config``) that names the key and a private known_hosts, so nothing
in ``~/.ssh`` is read or written. Where no sshd can run (not installed, no privilege-separation
folder, cannot bind), the fixture skips with the reason.

Use it from a test module with ``from sshd import sshd_server_fixture  # noqa: F401`` and a
parameter named ``sshd_server``; the server lives for the module.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

SSHD = Path("/usr/sbin/sshd")
PRIVSEP_DIR = Path("/run/sshd")


class SSHDUnavailable(Exception):
    """No sshd can run here; the message says why (becomes the skip reason)."""


@dataclass
class SSHServer:
    port: int
    folder: Path
    process: subprocess.Popen[bytes]
    config: Path  # ssh -F config: key, known_hosts, strict host key checking
    user: str
    host_key_line: str

    @property
    def log(self) -> str:
        try:
            return (self.folder / "sshd.log").read_text(errors="replace")
        except OSError:
            return ""

    def url(self, path: str | os.PathLike[str]) -> str:
        """An ssh:// URL for a path on this (same) machine."""
        return f"ssh://{self.user}@127.0.0.1:{self.port}{Path(path).resolve()}"

    def client_config(self, name: str, **options: str) -> Path:
        """Another client config, with some options changed (a wrong key, an empty known_hosts)."""
        lines = _client_options(self) | options
        path = self.folder / name
        path.write_text("Host *\n" + "".join(f"  {key} {value}\n" for key, value in lines.items()))
        path.chmod(0o600)
        return path

    def session_pids(self) -> list[int]:
        """Pids of the per-connection sshd processes (children of the listener)."""
        try:
            return [child.pid for child in psutil.Process(self.process.pid).children()]
        except psutil.Error:
            return []


def _client_options(server: SSHServer) -> dict[str, str]:
    return {
        "User": server.user,
        "IdentityFile": str(server.folder / "user_key"),
        "IdentitiesOnly": "yes",
        "IdentityAgent": "none",
        "UserKnownHostsFile": str(server.folder / "known_hosts"),
        "GlobalKnownHostsFile": "/dev/null",
        "StrictHostKeyChecking": "yes",
        "PasswordAuthentication": "no",
        "KbdInteractiveAuthentication": "no",
        "ControlMaster": "no",
        "LogLevel": "ERROR",
    }


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _keygen(path: Path) -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "vcr-tui-test", "-f", str(path)],
        check=True,
        capture_output=True,
    )


def _check_prerequisites() -> None:
    if not SSHD.exists():
        raise SSHDUnavailable(f"{SSHD} not installed (apt-get install openssh-server)")
    for tool in ("ssh", "ssh-keygen"):
        if shutil.which(tool) is None:
            raise SSHDUnavailable(f"{tool} not installed (apt-get install openssh-client)")
    if not PRIVSEP_DIR.is_dir():
        # sshd refuses to start without its privilege-separation folder, normally made at boot.
        try:
            PRIVSEP_DIR.mkdir(mode=0o755, parents=True)
        except OSError as exc:
            raise SSHDUnavailable(f"{PRIVSEP_DIR} is missing and cannot be made ({exc.strerror})") from None


def _wait_for_banner(port: int, process: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            if sock.recv(64).startswith(b"SSH-"):
                return True
        time.sleep(0.05)
    return False


@contextlib.contextmanager
def running_sshd(folder: Path, extra_config: str = "") -> Iterator[SSHServer]:
    """Start sshd with fresh keys in ``folder``; stop it (and its sessions) on exit.

    ``extra_config`` is appended to sshd_config (a ``ForceCommand`` that prints a login
    banner on stdout, for example).
    """
    _check_prerequisites()
    folder.mkdir(parents=True, exist_ok=True)
    _keygen(folder / "host_key")
    _keygen(folder / "user_key")
    _keygen(folder / "other_key")
    (folder / "authorized_keys").write_text((folder / "user_key.pub").read_text())
    user = pwd.getpwuid(os.getuid()).pw_name
    last_error = ""
    for _ in range(3):  # another process may take the free port before sshd binds it
        port = _free_port()
        config = folder / "sshd_config"
        config.write_text(
            f"Port {port}\n"
            "ListenAddress 127.0.0.1\n"
            f"HostKey {folder / 'host_key'}\n"
            f"PidFile {folder / 'sshd.pid'}\n"
            f"AuthorizedKeysFile {folder / 'authorized_keys'}\n"
            "StrictModes no\n"
            "UsePAM no\n"
            "PermitRootLogin prohibit-password\n"
            "PubkeyAuthentication yes\n"
            "PasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\n"
            "PrintMotd no\n"
            "PrintLastLog no\n"
            "UseDNS no\n"
            "MaxStartups 100\n"
            "MaxSessions 100\n"
            "Subsystem sftp internal-sftp\n"
            "LogLevel VERBOSE\n" + extra_config
        )
        log = (folder / "sshd.log").open("ab")
        process = subprocess.Popen(
            [str(SSHD), "-D", "-e", "-f", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        if _wait_for_banner(port, process, timeout=10):
            break
        _stop(process)
        last_error = (folder / "sshd.log").read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
        last_error = last_error[0]
    else:
        raise SSHDUnavailable(f"sshd would not start: {last_error}")
    host_key = (folder / "host_key.pub").read_text().split()
    host_key_line = f"[127.0.0.1]:{port} {host_key[0]} {host_key[1]}\n"
    (folder / "known_hosts").write_text(host_key_line)
    server = SSHServer(port, folder, process, folder / "ssh_config", user, host_key_line)
    server.client_config("ssh_config")
    try:
        yield server
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the listener and every session it started (sessions run in sessions of their own)."""
    try:
        descendants = psutil.Process(process.pid).children(recursive=True)
    except psutil.Error:
        descendants = []
    for child in [*descendants, None]:
        with contextlib.suppress(OSError, psutil.Error):
            if child is None:
                process.terminate()
            else:
                child.kill()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    psutil.wait_procs(descendants, timeout=5)


@pytest.fixture(scope="module", name="sshd_server")
def sshd_server_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SSHServer]:
    """A running sshd for the test module; skips with the reason where none can run."""
    try:
        with running_sshd(tmp_path_factory.mktemp("sshd")) as server:
            yield server
    except SSHDUnavailable as exc:
        pytest.skip(f"no OpenSSH server can run here: {exc}")
