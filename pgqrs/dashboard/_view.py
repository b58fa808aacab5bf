"""What a page handler gets: the request, who made it, the database, and how to answer.

A page is rendered whole, or, when the browser asks for its live region only (header
``X-Pgqrs-Fragment: 1``, sent by ``dashboard.js`` after a change event), just that region.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from .. import _sql
from ._auth import ANONYMOUS, Auth
from ._db import Database
from ._html import Markup, page

FRAGMENT_HEADER = "x-pgqrs-fragment"


@dataclass(frozen=True)
class Settings:
    """The options of one dashboard (see :func:`pgqrs.dashboard.create_app`)."""

    allow_actions: bool = False
    stale_seconds: float = 30.0
    page_size: int = 50
    cache_seconds: float = 5.0
    refresh_interval: float = 1.0


class View:
    """One request to a page."""

    def __init__(
        self, request: Request, principal: str, db: Database, auth: Auth, settings: Settings
    ) -> None:
        self.request = request
        self.principal = principal
        self.db = db
        self.auth = auth
        self.settings = settings
        self.base = str(request.scope.get("root_path", "")).rstrip("/")
        self.fragment = request.headers.get(FRAGMENT_HEADER) == "1"
        self._now: datetime | None = None

    @property
    def can_act(self) -> bool:
        """Actions are allowed and this request is authenticated."""
        return self.settings.allow_actions and self.principal != ANONYMOUS

    @property
    def csrf(self) -> str:
        return self.auth.csrf(self.principal)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    async def now(self) -> datetime:
        """The database server's clock, which ages on the page are measured against."""
        if self._now is None:
            self._now = (await self.db.one(_sql.DASHBOARD_NOW))["now"]
        return self._now

    def render(
        self,
        *,
        title: str,
        active: str,
        body: Any = None,
        live: Any = None,
        live_on: bool = True,
        watch: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        headers = {"Cache-Control": "no-store", "Vary": "X-Pgqrs-Fragment"}
        if self.fragment:
            return HTMLResponse(str(live or Markup("")), status_code=status, headers=headers)
        html = page(
            base=self.base,
            title=title,
            active=active,
            body=body,
            live=live,
            live_on=live_on,
            watch=watch,
            user=self.principal,
            csrf=self.csrf if self.auth.required else None,
        )
        return HTMLResponse(str(html), status_code=status, headers=headers)
