"""The Queues page: each queue's limits and load, from ``pgqrs.list_queues()`` (the queues of
pgqrs's flow control), and the queue depth per workflow name (``pgqrs.queue_depth``)."""

from __future__ import annotations

from starlette.responses import Response

from .. import _sql
from ._html import ago, section, table, yes
from ._optional import listing_page
from ._view import View


async def render(view: View) -> Response:
    depth = await view.db.rows(_sql.DASHBOARD_QUEUE_DEPTH, (view.settings.stale_seconds,))
    now = await view.now()
    by_name = section(
        "Queued by workflow name",
        table(
            ["name", "ready", "scheduled", "waiting", "running", "head waits", "served"],
            [
                [
                    r["name"],
                    r["ready"],
                    r["scheduled"],
                    r["waiting"],
                    r["running"],
                    ago(r["oldest_ready"], now),
                    yes(r["served"]),
                ]
                for r in depth
            ],
            empty="nothing queued",
        ),
    )
    return await listing_page(
        view,
        title="Queues",
        active="queues",
        query=_sql.DASHBOARD_QUEUES,
        empty="no queue has settings; every workflow waits in the default queue",
        extra=by_name,
    )
