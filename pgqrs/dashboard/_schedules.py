"""The Schedules page: each schedule and its next run, from ``pgqrs.list_schedules()``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from .. import _sql
from ._html import Markup, tag
from ._optional import listing_page
from ._view import View


def shown(row: Mapping[str, Any]) -> Mapping[str, Any]:
    """A paused schedule has no next run to show (its next tick is computed again when it is
    resumed); a cron expression stays on one line."""
    out = dict(row)
    if out.get("paused"):
        out["next_run_at"] = Markup('<span class="muted">paused</span>')
    if out.get("cron") is not None:
        out["cron"] = tag("code", out["cron"], class_="nowrap")
    return out


async def render(view: View) -> Response:
    return await listing_page(
        view,
        title="Schedules",
        active="schedules",
        query=_sql.DASHBOARD_SCHEDULES,
        empty="no schedules",
        shape=shown,
    )
