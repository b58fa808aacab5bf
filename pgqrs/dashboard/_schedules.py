"""The Schedules page: each schedule and its next run, from ``pgqrs.list_schedules()``."""

from __future__ import annotations

from starlette.responses import Response

from .. import _sql
from ._optional import listing_page
from ._view import View


async def render(view: View) -> Response:
    return await listing_page(
        view,
        title="Schedules",
        active="schedules",
        query=_sql.DASHBOARD_SCHEDULES,
        empty="no schedules",
    )
