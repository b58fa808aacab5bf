"""The Workers page: every registered worker, alive or not, the names it serves, what it runs
now and its last heartbeat (``pgqrs.list_workers``)."""

from __future__ import annotations

from starlette.responses import Response

from .. import _sql
from ._html import ago, join, short_id, table, tag, yes
from ._view import View


async def render(view: View) -> Response:
    workers = await view.db.rows(_sql.DASHBOARD_WORKERS, (view.settings.stale_seconds,))
    now = await view.now()
    alive = sum(1 for w in workers if w["alive"])
    rows = [
        [
            tag("strong", w["name"]),
            yes(w["alive"]),
            w["hostname"] or "-",
            "-" if w["pid"] is None else w["pid"],
            ", ".join(w["workflows"]),
            f"{len(w['running'])} / {w['concurrency']}",
            join(
                *(
                    join(tag("a", short_id(i), href=view.url(f"/workflows/{i}"), class_="id"), " ")
                    for i in w["running"][:20]
                )
            )
            if w["running"]
            else "-",
            ago(w["heartbeat_at"], now),
            ago(w["started_at"], now),
            ago(w["stopped_at"], now),
        ]
        for w in workers
    ]
    live = join(
        tag(
            "p",
            f"{alive} alive of {len(workers)} registered (alive: heard from within "
            f"{view.settings.stale_seconds:g}s and not stopped).",
            class_="muted",
        ),
        table(
            [
                "worker",
                "alive",
                "host",
                "pid",
                "serves",
                "running",
                "workflows",
                "heartbeat",
                "started",
                "stopped",
            ],
            rows,
            empty="no worker has registered",
            class_="workers",
        ),
    )
    return view.render(title="Workers", active="workers", body=tag("h1", "Workers"), live=live)
