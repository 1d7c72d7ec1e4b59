"""Where a recording lives, as the user typed it: a local path, ``-`` for stdin, a remote file,
or an object in object storage (``s3://bucket/key``).

The command line takes one argument for all three, so the rules that tell them apart must be
predictable. An existing local path always wins (``./a:b.vcr``, ``C:\\runs\\x.vcr`` and even a file
literally named ``host:run.vcr`` open locally when they exist); otherwise ``ssh://`` URLs and the scp
form ``[user@]host:path`` name remote files, the same rule scp uses (a colon before any slash).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Final
from urllib.parse import unquote

from recorder.object_urls import OBJECT_SCHEMES, is_object_url, object_name
from recorder.slotted import Slotted

_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
# A host is an ssh config alias, a name or an address: anything ssh itself would accept as a
# destination, minus what could be taken for an option or cannot be a host at all.
_HOST = re.compile(r"^(?:\[[0-9A-Za-z:.%]+\]|[^\s/\\@\[\]:]+)$")
_USER = re.compile(r"^[^\s/:@]+$")


class LocationError(ValueError):
    """The argument cannot name a recording; the message says why, in one line."""


class LocalPath(Slotted):
    """A file (or folder) on this machine."""

    __slots__ = ("path",)

    def __init__(self, path: Path) -> None:
        self.path: Final = path

    @property
    def label(self) -> str:
        return str(self.path)


class StandardInput(Slotted):
    """A recording streamed into this process's stdin (``vcr-tui -``)."""

    __slots__ = ()

    @property
    def label(self) -> str:
        return "stdin"


class RemotePath(Slotted):
    """A file on another machine, reached with the system's ``ssh`` client.

    ``host`` is passed to ssh unchanged (brackets of an IPv6 literal removed), so aliases from
    ``~/.ssh/config`` work; ``path`` is relative to the remote login directory unless absolute.
    """

    __slots__ = ("host", "path", "port", "user")

    def __init__(self, host: str, path: str, user: str | None = None, port: int | None = None) -> None:
        self.host: Final = host
        self.path: Final = path
        self.user: Final = user
        self.port: Final = port

    @property
    def label(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        user = f"{self.user}@" if self.user else ""
        port = f":{self.port}" if self.port else ""
        if port:
            path = self.path if self.path.startswith("/") else f"/~/{self.path}"
            return f"ssh://{user}{host}{port}{path}"
        return f"{user}{host}:{self.path}"

    @property
    def name(self) -> str:
        """The file's base name, for a local copy that reads like the original."""
        return self.path.rstrip("/").rsplit("/", 1)[-1] or "remote.vcr"


class ObjectPath(Slotted):
    """An object (or, ending in ``/``, a prefix of them) in object storage: ``s3://bucket/key``.

    Read with ranged requests through fsspec; the schemes are the engine's ``OBJECT_SCHEMES``.
    """

    __slots__ = ("url",)

    def __init__(self, url: str) -> None:
        self.url: Final = url

    @property
    def label(self) -> str:
        return self.url

    @property
    def name(self) -> str:
        return object_name(self.url)

    @property
    def is_prefix(self) -> bool:
        """A folder-like address: list the recordings under it."""
        return self.url.endswith("/") or self.url.count("/") <= 2


Location = LocalPath | StandardInput | RemotePath | ObjectPath


def parse_location(text: str) -> Location:
    """Read a command-line argument as a location; ``LocationError`` when it cannot be one."""
    if text == "-":
        return StandardInput()
    if not text:
        raise LocationError("empty path: give a .vcr file, a folder, '-' for stdin or host:path")
    if "\x00" in text:
        raise LocationError("the path contains a NUL byte")
    if os.path.lexists(text):
        return LocalPath(Path(text))
    scheme = _SCHEME.match(text)
    if scheme:
        if scheme["scheme"].lower() == "ssh":
            return _parse_ssh_url(text, text[scheme.end() :])
        if is_object_url(text):
            if not text[scheme.end() :].strip("/"):
                raise LocationError(f"{text!r} names no bucket: write {scheme['scheme']}://bucket/path/run.vcr")
            return ObjectPath(text)
        raise LocationError(
            f"unsupported address {text!r}: ssh://, host:path, {', '.join(s + '://' for s in OBJECT_SCHEMES)}"
            " and local paths are read"
        )
    return _parse_scp_form(text) or LocalPath(Path(text))


def _parse_ssh_url(text: str, rest: str) -> RemotePath:
    """``ssh://[user@]host[:port]/path``; ``/~/path`` is relative to the remote home, as in git."""
    authority, slash, raw_path = rest.partition("/")
    if not slash or not raw_path:
        raise LocationError(f"{text!r} names no file: write ssh://host/path/to/run.vcr")
    path = unquote(raw_path)
    path = path[2:] if path.startswith("~/") else "/" + path
    user, at, host_port = authority.rpartition("@")
    if not at:
        user = ""
    host, port = _split_port(text, host_port)
    return RemotePath(host=_checked_host(text, host), path=path, user=_checked_user(text, unquote(user)), port=port)


def _split_port(text: str, host_port: str) -> tuple[str, int | None]:
    if host_port.startswith("["):
        close = host_port.find("]")
        if close < 0:
            raise LocationError(f"{text!r}: unclosed '[' in the host")
        host, after = host_port[: close + 1], host_port[close + 1 :]
        if after and not after.startswith(":"):
            raise LocationError(f"{text!r}: unexpected {after!r} after the host")
        port_text = after[1:] if after else ""
    else:
        host, colon, port_text = host_port.partition(":")
        if not colon:
            port_text = ""
    if not port_text:
        return host, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise LocationError(f"{text!r}: port {port_text!r} is not a number from 1 to 65535")
    return host, int(port_text)


def _parse_scp_form(text: str) -> RemotePath | None:
    """``[user@]host:path`` when it looks like one, else None (then it is a local path)."""
    if text.startswith(("~", ".")) or _WINDOWS_DRIVE.match(text):
        return None
    if text.startswith("["):  # [v6addr]:path or user@[v6addr]:path are handled below
        close = text.find("]:")
        colon = close + 1 if close > 0 else -1
    else:
        bracket = text.find("@[")
        if bracket >= 0:
            close = text.find("]:", bracket)
            colon = close + 1 if close > 0 else -1
        else:
            colon = text.find(":")
    if colon <= 0:
        return None
    slash = text.find("/")
    if 0 <= slash < colon:
        return None  # dir/a:b.vcr is local, as scp reads it
    destination, path = text[:colon], text[colon + 1 :]
    user, at, host = destination.rpartition("@")
    if not _HOST.match(host) or host.startswith("-") or (at and not _USER.match(user)):
        return None
    if not path:
        raise LocationError(f"{text!r} names a host but no file: write {destination}:path/to/run.vcr")
    if path.startswith("~/"):
        path = path[2:]  # ssh starts in the home folder; a quoted '~' would not expand
    return RemotePath(host=_checked_host(text, host), path=path, user=_checked_user(text, user if at else ""))


def _checked_host(text: str, host: str) -> str:
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host or not _HOST.match(host if ":" not in host else f"[{host}]"):
        raise LocationError(f"{text!r}: {host!r} is not a host name")
    if host.startswith("-"):
        raise LocationError(f"{text!r}: a host name cannot start with '-'")
    return host


def _checked_user(text: str, user: str) -> str | None:
    if not user:
        return None
    if not _USER.match(user) or user.startswith("-"):
        raise LocationError(f"{text!r}: {user!r} is not a user name")
    return user
