"""Why an ssh connection ended, in words a user can act on.

OpenSSH reports everything as exit status 255 plus a line on stderr, and the remote side adds
its own exit status. This module maps both to a kind (which decides whether retrying can help)
and one sentence. Whatever came from the other machine is stripped of control characters first:
a hostile banner must not drive the terminal.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

# Exit statuses of the remote check script (see ssh.py); sysexits.h numbers, which neither
# ssh (255) nor tail (1) use.
EXIT_NOT_A_FILE = 65
EXIT_MISSING = 66
EXIT_SIZE_UNREADABLE = 74
EXIT_SHRANK = 75
EXIT_NO_PERMISSION = 77
_EXIT_NOT_FOUND = 127
_EXIT_NOT_EXECUTABLE = 126
_SSH_FAILED = 255


class FailureKind(enum.Enum):
    AUTH = "authentication failed"
    HOST_KEY = "host key not trusted"
    HOST_NAME = "unknown host name"
    CONFIG = "ssh configuration error"
    REFUSED = "connection refused"
    TIMEOUT = "connection timed out"
    UNREACHABLE = "host unreachable"
    DROPPED = "connection lost"
    MISSING_FILE = "no such remote file"
    NOT_A_FILE = "not a file"
    NO_PERMISSION = "permission denied"
    REMOTE_SHRANK = "remote file shrank"
    REMOTE_TOOL = "remote command failed"
    SSH_MISSING = "no ssh client"
    ENDED = "finished"
    OTHER = "ssh failed"


# Retrying cannot fix these, whether or not the link worked before.
_ALWAYS_FATAL = {
    FailureKind.AUTH,
    FailureKind.HOST_KEY,
    FailureKind.CONFIG,
    FailureKind.NOT_A_FILE,
    FailureKind.NO_PERMISSION,
    FailureKind.REMOTE_TOOL,
    FailureKind.SSH_MISSING,
}


@dataclass(frozen=True, slots=True)
class SSHFailure:
    kind: FailureKind
    message: str
    detail: str = ""

    def is_fatal(self, *, was_connected: bool) -> bool:
        """Whether to give up: a link that never worked is not retried (the user typed it just
        now and wants the reason), one that worked before is retried unless retrying is futile."""
        if self.kind in _ALWAYS_FATAL:
            return True
        return not was_connected and self.kind is not FailureKind.REMOTE_SHRANK


_SSH_PATTERNS: tuple[tuple[FailureKind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (
            FailureKind.CONFIG,
            r"bad configuration option|bad owner or permissions on|no argument after keyword|"
            r"bad configuration options|can't open user config file|unsupported option|"
            r"keyword \S+ extra arguments|cannot execute command-line and remote command",
        ),
        (FailureKind.HOST_NAME, r"could not resolve hostname|name or service not known|nodename nor servname"),
        (FailureKind.REFUSED, r"connection refused"),
        (FailureKind.TIMEOUT, r"timed out|operation timed out"),
        (FailureKind.UNREACHABLE, r"no route to host|network is unreachable|host is down"),
        (
            FailureKind.HOST_KEY,
            r"host key verification failed|remote host identification has changed|"
            r"host key is known for|host key for .* has changed",
        ),
        (
            FailureKind.AUTH,
            r"permission denied \(|too many authentication failures|no more authentication methods|"
            r"unprotected private key file|authentication failed",
        ),
        (
            FailureKind.DROPPED,
            r"connection closed|connection reset|broken pipe|not responding|closed by remote host|"
            r"connection to \S+ closed|disconnected|kex_exchange_identification",
        ),
    )
)


def classify(
    returncode: int,
    stderr: str,
    *,
    target: str,
    path: str,
    connected: bool,
    connect_timeout: float,
) -> SSHFailure:
    """Turn how one ssh run ended into a failure with a clear message."""
    detail = printable(stderr).strip()
    last = detail.splitlines()[-1] if detail else ""
    if returncode == EXIT_MISSING:
        return SSHFailure(FailureKind.MISSING_FILE, f"no such file on {target}: {printable(path)}", detail)
    if returncode == EXIT_NOT_A_FILE:
        return SSHFailure(FailureKind.NOT_A_FILE, f"{printable(path)} on {target} is a folder, not a .vcr file", detail)
    if returncode == EXIT_NO_PERMISSION:
        return SSHFailure(FailureKind.NO_PERMISSION, f"no permission to read {printable(path)} on {target}", detail)
    if returncode == EXIT_SHRANK:
        return SSHFailure(FailureKind.REMOTE_SHRANK, f"{printable(path)} on {target} was rewritten; reloading", detail)
    if returncode == EXIT_SIZE_UNREADABLE:
        return SSHFailure(FailureKind.REMOTE_TOOL, f"cannot read the size of {printable(path)} on {target}", detail)
    if returncode in (_EXIT_NOT_FOUND, _EXIT_NOT_EXECUTABLE):
        return SSHFailure(
            FailureKind.REMOTE_TOOL,
            f"{target} lacks the POSIX sh, tail or wc this needs ({last or 'command not found'})",
            detail,
        )
    if returncode == 0:
        return SSHFailure(FailureKind.ENDED, f"{target}: the remote tail finished", detail)
    if returncode < 0:
        return SSHFailure(FailureKind.DROPPED, f"connection to {target} lost (ssh stopped by signal {-returncode})")
    if returncode != _SSH_FAILED:
        if connected:
            return SSHFailure(
                FailureKind.DROPPED, f"the remote tail on {target} stopped ({last or returncode})", detail
            )
        return SSHFailure(
            FailureKind.REMOTE_TOOL, f"the remote command on {target} failed: {last or returncode}", detail
        )
    for kind, pattern in _SSH_PATTERNS:
        if pattern.search(detail):
            return SSHFailure(kind, _ssh_message(kind, target, connect_timeout, last, detail), detail)
    if connected:
        return SSHFailure(FailureKind.DROPPED, f"connection to {target} lost", detail)
    return SSHFailure(FailureKind.OTHER, f"ssh to {target} failed: {last or 'no reason given'}", detail)


_CHANGED_KEY = re.compile(r"identification has changed|host key for .* has changed", re.IGNORECASE)


def _ssh_message(kind: FailureKind, target: str, connect_timeout: float, last: str, detail: str) -> str:
    if kind is FailureKind.AUTH:
        return (
            f"ssh could not log in to {target} ({last}): check the key, ssh-agent or User in ~/.ssh/config;"
            " vcr-tui runs ssh in batch mode, so it cannot ask for a password or passphrase"
        )
    if kind is FailureKind.HOST_KEY:
        if _CHANGED_KEY.search(detail):
            return (
                f"the host key of {target} has CHANGED since it was last trusted ({last}): someone may be"
                " intercepting the connection; if the change is expected, update known_hosts with plain `ssh`"
            )
        return (
            f"the host key of {target} is unknown here ({last}): connect once with plain `ssh` to check and accept it"
        )
    if kind is FailureKind.HOST_NAME:
        return f"unknown host name in {target} ({last})"
    if kind is FailureKind.REFUSED:
        return f"{target} refused the connection: is sshd running there, on that port?"
    if kind is FailureKind.TIMEOUT:
        return f"no answer from {target} within {connect_timeout:g} s"
    if kind is FailureKind.UNREACHABLE:
        return f"{target} is unreachable ({last})"
    if kind is FailureKind.CONFIG:
        return f"ssh configuration problem: {last}"
    return f"connection to {target} lost ({last})"


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Text with control characters (escape sequences included) made visible and harmless."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text.replace("\r\n", "\n"))
