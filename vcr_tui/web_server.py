"""The web server behind ``vcr-tui serve``: Textual's own server, behind an access token.

textual-serve starts one app process per browser tab and relays its screen over a websocket, but
lets anyone who can reach the port in. Here every request needs the token printed at start: the
page's URL carries it, the page's answer sets it as a cookie (HttpOnly, SameSite=Strict, so other
sites' pages never send it), and the websocket, the static files and downloads need the cookie or
the token. A websocket opened from another origin is refused even with the cookie.

Stopping (Ctrl-C, SIGTERM) closes every tab's session, which asks its app to quit and waits for
the process to end, so no app outlives the server. The app processes also ask the kernel to
stop them should the server die without that chance (``serve.die_with_parent``).
"""

from __future__ import annotations

import asyncio
import hmac
import signal
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.server import Server

PAGE_FOLDER = Path(__file__).resolve().parent / "web_page"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SESSION_CLOSE_TIMEOUT = 10.0  # seconds for the apps to quit once asked, before the server exits anyway
REFUSED = "vcr-tui: this address needs the token printed when the server started: open the full URL (…/?token=…).\n"


@dataclass
class TokenGuard:
    """Checks the token on every request and keeps track of the open app sessions."""

    token: str
    cookie: str
    sessions: set[asyncio.Task[Any]] = field(default_factory=set)

    def _matches(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8"))

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        by_url = self._matches(request.query.get("token"))
        if not by_url and not self._matches(request.cookies.get(self.cookie)):
            raise web.HTTPForbidden(text=REFUSED)
        if request.path == "/ws":
            if not _same_origin(request):
                raise web.HTTPForbidden(text="vcr-tui: a page from another site may not open this session.\n")
            task = asyncio.current_task()
            assert task is not None
            self.sessions.add(task)
            try:
                return await handler(request)
            finally:
                self.sessions.discard(task)
        response = await handler(request)
        if not response.prepared:
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["X-Frame-Options"] = "DENY"
            response.headers["Cache-Control"] = "no-store"
            if by_url:
                response.set_cookie(self.cookie, self.token, httponly=True, samesite="Strict", path="/")
        return response

    async def close_sessions(self, timeout: float = SESSION_CLOSE_TIMEOUT) -> int:
        """Close every tab's session (its app is asked to quit and awaited); how many there were."""
        open_sessions = list(self.sessions)
        for task in open_sessions:
            task.cancel()
        if open_sessions:
            await asyncio.wait(open_sessions, timeout=timeout)
        return len(open_sessions)


def _same_origin(request: web.Request) -> bool:
    """A browser names the page that opens a websocket; it must be this server's own page."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not a browser: it holds the token, which is all a browser page could prove
    return urlsplit(origin).netloc.lower() == request.host.lower()


class _QuietServer(Server):
    """textual-serve's server with a page of our own and no banner: the command says where it listens.

    Its own page loads a font from a public CDN, which would tell a third party that the debugger
    was opened (and wait on the network before showing anything); ours loads only from this server.
    """

    async def on_startup(self, app: web.Application) -> None:
        return None


async def serve(
    command: str,
    sock: socket.socket,
    public_url: str,
    guard: TokenGuard,
    *,
    title: str,
    on_ready: Callable[[], None],
    on_stopping: Callable[[int], None],
) -> int:
    """Serve ``command`` (one process per tab) on ``sock`` until SIGINT or SIGTERM; sessions closed."""
    server = _QuietServer(command, title=title, public_url=public_url, templates_path=PAGE_FOLDER)
    app = await server._make_app()  # textual-serve's app, routes and templates; the guard goes in front
    app.middlewares.append(guard.middleware)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, stop.set)
    try:
        await web.SockSite(runner, sock).start()
        on_ready()
        await stop.wait()
        on_stopping(len(guard.sessions))
        return await guard.close_sessions()
    finally:
        await runner.cleanup()
