"""The dashboard as an ASGI application: routes, credentials, security headers, live events.

Routes (under the mount point, if any):

    GET  /                      Overview
    GET  /workflows             Workflows (filters and keyset pages)
    GET  /workflows/{id}        one Workflow
    POST /workflows/{id}/{act}  an action: cancel, resume, revive, fork, send
    GET  /workers, /queues, /schedules
    GET  /events                server-sent events: "change" when a page should refresh
    GET  /login, POST /login, POST /logout
    GET  /static/...            the stylesheet and the script
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import psycopg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import _metrics, _sql, errors
from . import _overview, _queues, _schedules, _workers, _workflow, _workflows
from ._auth import ANONYMOUS, COOKIE, Auth, safe_next, same
from ._db import Database
from ._gauges import DatabaseGauges
from ._html import join, tag
from ._live import KEEPALIVE_SECONDS, Live, tags_for
from ._view import Settings, View

logger = logging.getLogger("pgqrs.dashboard")

STATIC = Path(__file__).resolve().parent / "static"

# Every response: no framing, no sniffing, no referrer, and only this site's script and style.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]

Handler = Callable[[View], Awaitable[Response]]

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class _SecurityHeaders:
    """Adds SECURITY_HEADERS to every HTTP response (a plain ASGI wrapper: it leaves streamed
    responses, the event stream, alone)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Dashboard:
    """pgqrs dashboard, an ASGI application. Make one with :func:`create_app`."""

    def __init__(
        self,
        dsn: str,
        *,
        actions_dsn: str | None = None,
        allow_actions: bool = False,
        token: str | None = None,
        basic_auth: tuple[str, str] | str | None = None,
        stale_seconds: float = 30.0,
        refresh_interval: float = 1.0,
        page_size: int = 50,
        cache_seconds: float = 5.0,
        statement_timeout: float = 10.0,
        pool_size: int = 4,
    ) -> None:
        if isinstance(basic_auth, str):
            user, sep, password = basic_auth.partition(":")
            if not sep or not user or not password:
                raise errors.InvalidArgumentError("basic_auth must be 'user:password'")
            basic_auth = (user, password)
        if token is not None and len(token) < 16:
            raise errors.InvalidArgumentError("a dashboard token must be 16 characters or more")
        self.auth = Auth(token=token, basic=basic_auth)
        if allow_actions and not self.auth.required:
            raise errors.InvalidArgumentError(
                "actions need credentials: pass a token or basic auth with allow_actions"
            )
        if not 1 <= page_size <= 1000:
            raise errors.InvalidArgumentError(f"page_size must be in 1..1000, got {page_size}")
        self.settings = Settings(
            allow_actions=allow_actions,
            stale_seconds=stale_seconds,
            page_size=page_size,
            cache_seconds=cache_seconds,
            refresh_interval=refresh_interval,
        )
        self.db = Database(
            dsn, actions_dsn, pool_size=pool_size, statement_timeout=statement_timeout
        )
        self.live = Live(dsn, interval=refresh_interval)
        self._notify_key: bytes | None = None
        routes = [
            Route("/", self._page(_overview.render)),
            Route("/workflows", self._page(_workflows.render)),
            Route("/workflows/{ident}", self._page(self._workflow)),
            Route("/workflows/{ident}/{action}", self._page(self._act), methods=["POST"]),
            Route("/workers", self._page(_workers.render)),
            Route("/queues", self._page(_queues.render)),
            Route("/schedules", self._page(_schedules.render)),
            Route("/events", self._events),
            Route("/login", self._login, methods=["GET", "POST"]),
            Route("/logout", self._page(self._logout), methods=["POST"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ]
        self.app = Starlette(routes=routes, lifespan=self._lifespan)
        self._asgi = _SecurityHeaders(self.app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._asgi(scope, receive, send)

    async def close(self) -> None:
        """Close the connections (the lifespan does it when the dashboard runs on its own;
        call it at shutdown when it is mounted in another application)."""
        await self.live.close()
        await self.db.close()

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        yield
        await self.close()

    # -- requests --------------------------------------------------------------------------

    def _page(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            principal = self.auth.identify(request)
            if principal is None:
                return self._unauthorized(request)
            view = View(request, principal, self.db, self.auth, self.settings)
            started = time.perf_counter()
            try:
                response = await handler(view)
            except errors.PgqrsError as exc:
                response = self._error(view, str(exc), 500)
            except psycopg.OperationalError as exc:
                logger.warning("pgqrs dashboard: database unavailable: %s", exc)
                response = self._error(view, f"The database cannot be reached: {exc}", 503)
            except psycopg.Error as exc:
                response = self._error(view, f"{type(exc).__name__}: {exc}", 500)
            response.headers.setdefault(
                "Server-Timing", f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
            )
            return response

        return endpoint

    def _error(self, view: View, message: str, status: int) -> Response:
        return view.render(
            title="Error",
            active="",
            body=join(tag("h1", "Error"), tag("p", message, class_="banner error")),
            status=status,
        )

    def _unauthorized(self, request: Request) -> Response:
        base = str(request.scope.get("root_path", "")).rstrip("/")
        wants_page = request.method == "GET" and "text/html" in request.headers.get("accept", "")
        if self.auth.token is not None and wants_page:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"{base}/login?" + urlencode({"next": target}), 303)
        headers = {"Cache-Control": "no-store"}
        if self.auth.basic is not None:
            headers["WWW-Authenticate"] = 'Basic realm="pgqrs dashboard", charset="UTF-8"'
        return Response("authentication required\n", 401, headers, media_type="text/plain")

    async def _workflow(self, view: View) -> Response:
        return await _workflow.render(view, view.request.path_params["ident"])

    async def _act(self, view: View) -> Response:
        params = view.request.path_params
        return await _workflow.act(view, params["ident"], params["action"])

    async def _login(self, request: Request) -> Response:
        base = str(request.scope.get("root_path", "")).rstrip("/")
        if self.auth.token is None:
            return RedirectResponse(f"{base}/", 303)
        target = safe_next(base, request.query_params.get("next"))
        error = None
        if request.method == "POST":
            body = (await request.body())[:8192].decode("utf-8", "replace")
            form = {k: v[0] for k, v in parse_qs(body, max_num_fields=5).items()}
            target = safe_next(base, form.get("next"))
            if same(form.get("token", ""), self.auth.token):
                redirect = RedirectResponse(target, 303)
                redirect.set_cookie(
                    COOKIE,
                    self.auth.session_cookie(),
                    httponly=True,
                    samesite="strict",
                    secure=request.url.scheme == "https",
                    path=f"{base}/",
                )
                return redirect
            error = "That is not the token."
        html = tag(
            "form",
            tag("h1", "pgqrs dashboard"),
            tag("p", error, class_="banner error") if error else None,
            tag(
                "label",
                "token ",
                tag(
                    "input",
                    type="password",
                    name="token",
                    autofocus=True,
                    autocomplete="current-password",
                    required=True,
                ),
            ),
            tag("input", type="hidden", name="next", value=target),
            tag("button", "log in", type="submit"),
            method="post",
            action=f"{base}/login",
            class_="login",
        )
        view = View(request, ANONYMOUS, self.db, self.auth, self.settings)
        return view.render(title="Log in", active="", body=html, status=401 if error else 200)

    async def _logout(self, view: View) -> Response:
        body = (await view.request.body())[:8192].decode("utf-8", "replace")
        form = {k: v[0] for k, v in parse_qs(body, max_num_fields=5).items()}
        why = self.auth.check_form(view.request, view.principal, form.get("csrf"))
        if why is not None:
            return self._error(view, f"Refused: {why}.", 403)
        response = RedirectResponse(view.url("/login"), 303)
        response.delete_cookie(COOKIE, path=f"{view.base}/")
        return response

    async def _events(self, request: Request) -> Response:
        principal = self.auth.identify(request)
        if principal is None:
            return self._unauthorized(request)
        tags = None
        watch = request.query_params.get("watch")
        if watch:
            view = View(request, principal, self.db, self.auth, self.settings)
            subjects = await _workflow.watch_tags(view, watch)
            if subjects is not None:
                if self._notify_key is None:
                    row = await self.db.one(_sql.DASHBOARD_NOTIFY_KEY)
                    self._notify_key = bytes(row["key"])
                tags = tags_for(self._notify_key, subjects) | {"*"}
        sub = self.live.subscribe(tags)

        async def stream() -> AsyncIterator[str]:
            try:
                yield f"retry: 3000\nevent: hello\ndata: {len(self.live.subscribers)}\n\n"
                while True:
                    if await sub.wait(KEEPALIVE_SECONDS):
                        yield "event: change\ndata: 1\n\n"
                    else:
                        yield ": keep-alive\n\n"
            finally:
                self.live.unsubscribe(sub)

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )


def create_app(dsn: str, **options: Any) -> Dashboard:
    """The dashboard for the database at ``dsn``, as an ASGI application.

    Options: ``actions_dsn`` (actions use this connection; default: ``dsn``), ``allow_actions``
    (default False: read-only), ``token`` (16 characters or more) or ``basic_auth``
    (``"user:password"``) — credentials every page then needs, and actions need ——,
    ``stale_seconds`` (a worker is alive when heard from within this, default 30),
    ``refresh_interval`` (at most one live refresh per page per this many seconds, default 1),
    ``page_size`` (default 50), ``cache_seconds`` (how long the whole-table counts are reused,
    default 5), ``statement_timeout`` (seconds, default 10), ``pool_size`` (default 4).

    Mount it in a Starlette or FastAPI application with ``app.mount("/pgqrs", dashboard)`` and
    call ``await dashboard.close()`` at shutdown.
    """
    return Dashboard(dsn, **options)


async def serve(
    dashboard: Dashboard,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    metrics_port: int | None = None,
    log_level: str = "info",
) -> None:
    """Run the dashboard with uvicorn until SIGINT or SIGTERM (``pgqrs dashboard``), and its
    Prometheus endpoint on ``metrics_port``."""
    import uvicorn

    server = uvicorn.Server(
        uvicorn.Config(
            dashboard,
            host=host,
            port=port,
            log_level=log_level,
            timeout_graceful_shutdown=2,
            proxy_headers=False,
        )
    )
    metrics = None
    if metrics_port is not None:
        metrics = _metrics.MetricsServer(DatabaseGauges(dashboard.db, dashboard.settings).collect)
        await metrics.start(metrics_port, host)

    def stopped(signum: int, frame: Any) -> None:
        # uvicorn handles SIGINT and SIGTERM (a graceful shutdown), then raises the signal again
        # for the handler it found: this one, which ends the run normally once it has started.
        if not server.started:
            raise KeyboardInterrupt

    main = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.signal(sig, stopped) for sig in _SIGNALS} if main else {}
    try:
        await server.serve()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if metrics is not None:
            await metrics.close()
        await dashboard.close()
