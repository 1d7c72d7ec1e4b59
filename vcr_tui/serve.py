"""``vcr-tui serve``: the debugger itself in a browser tab, one app process per tab.

This is not a second UI: each tab runs the same Textual app as the terminal, through Textual's
web driver, so every key and pane behaves the same. What is added is access control (see
``web_server``): loopback only unless ``--host`` says otherwise, and a token per start.

``python -m vcr_tui.serve ARGS`` is how the server starts each tab's app: the ``vcr-tui`` command
line, in a process that the kernel stops if the server dies.
"""

from __future__ import annotations

import errno
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    import socket

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; ``OSError`` with a sentence a user can act on."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise OSError(errno.EADDRNOTAVAIL, f"--host: cannot resolve {host}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past TIME_WAIT only, never a live listener
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise OSError(
                exc.errno, f"port {port} on {host} is in use: choose another with --port (0 picks a free one)"
            ) from None
        if exc.errno == errno.EACCES:
            raise OSError(
                exc.errno, f"no permission to listen on port {port}: choose one above 1023 with --port"
            ) from None
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.setblocking(False)
    return sock


def url_host(host: str) -> str:
    """How ``host`` appears in a URL: IPv6 in brackets, and a wildcard as this machine's name."""
    import socket

    if host in ("0.0.0.0", "::", ""):
        return socket.getfqdn()
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


@click.command("serve")
@click.argument("path", required=False)
@click.option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    help="Address to listen on; other than loopback, others can reach it.",
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True, help="Port (0 picks a free one)."
)
@click.option("--token", default=None, help="A fixed access token instead of a new random one per start.")
@click.option(
    "--workspace", type=click.Path(path_type=Path), default=None, help="As for vcr-tui: the folder u and C act on."
)
@click.option("--no-follow", is_flag=True, help="Show the recordings as they are; do not follow them while they grow.")
@click.option("--agent", metavar="MODULE:CALLABLE", default=None, help="As for vcr-tui: the agent r resumes with.")
@click.option(
    "--resume-mode",
    type=click.Choice(("replay", "fork", "mock"), case_sensitive=False),
    default="replay",
    show_default=True,
    help="How r resumes, as for vcr-tui.",
)
def serve_command(
    path: str | None,
    host: str,
    port: int,
    token: str | None,
    workspace: Path | None,
    no_follow: bool,
    agent: str | None,
    resume_mode: str,
) -> None:
    """Open the debugger in a browser: each tab gets its own app, with every key as in the terminal.

    \b
    PATH is a .vcr file or a folder of them (./.vcr by default). The URL printed
    at start carries a random access token (or --token); without it, every
    request is refused. Ctrl-C stops the server and the apps of every tab.
    """
    import asyncio
    import secrets
    import shlex

    from vcr_tui.cli import agent_settings, fail, resolve_target, resolve_workspace
    from vcr_tui.logic.safe_text import clean

    target = resolve_target(Path(path) if path is not None else None).resolve()
    folder = resolve_workspace(workspace) if workspace is not None else None
    agent_settings(agent, resume_mode, origin="--agent")  # a malformed --agent fails here, not in each tab
    if token is not None and not token.strip():
        fail("--token: the token cannot be empty")
    try:
        from vcr_tui import web_server
    except ImportError as exc:
        fail(
            f"vcr-tui serve needs the textual-serve package ({exc.name or exc} is missing): pip install 'vcr-tui[serve]'"
        )
    try:
        sock = bind(host, port)
    except OSError as exc:
        fail(exc.strerror or str(exc))
    token = token.strip() if token is not None else secrets.token_urlsafe(24)
    bound_port = sock.getsockname()[1]
    public_url = f"http://{url_host(host)}:{bound_port}"
    arguments = ["open", str(target), "--resume-mode", resume_mode]
    if folder is not None:
        arguments += ["--workspace", str(folder)]
    if no_follow:
        arguments.append("--no-follow")
    if agent is not None:
        arguments += ["--agent", agent]
    command = "exec " + shlex.join([sys.executable, "-m", "vcr_tui.serve", *arguments])
    guard = web_server.TokenGuard(token=token, cookie=f"vcr-tui-token-{bound_port}")

    def ready() -> None:
        if not is_loopback(host):
            click.echo(
                f"vcr-tui: warning: listening on {host}, reachable from other machines over plain http;"
                " anyone with the URL can use the debugger, and r runs the agent on this machine",
                err=True,
            )
        click.echo(f"vcr-tui: serving {target} at {public_url}/?token={token}")
        click.echo("Each browser tab gets its own debugger. Ctrl-C stops the server.")

    def stopping(sessions: int) -> None:
        click.echo(f"vcr-tui: stopping; closing {sessions} tab{'' if sessions == 1 else 's'}", err=True)

    closed = asyncio.run(
        web_server.serve(
            command,
            sock,
            public_url,
            guard,
            title=f"vcr-tui {clean(target.name)}",
            on_ready=ready,
            on_stopping=stopping,
        )
    )
    click.echo(f"vcr-tui: stopped ({closed} app{'' if closed == 1 else 's'} closed)", err=True)


def die_with_parent() -> None:
    """Ask the kernel to stop this process when the server that started it dies (Linux only).

    The server closes every app on a clean stop; this covers a server that is killed outright.
    Ctrl-C reaches the apps too (they share the terminal's process group) and Textual's web driver
    quits on it, so that path needs nothing here.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import os
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the server died before the request took effect
        sys.exit(0)


if __name__ == "__main__":
    die_with_parent()
    from vcr_tui.cli import main

    main(sys.argv[1:], prog_name="vcr-tui")
