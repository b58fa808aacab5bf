"""The Overview page: workflows by status and name, the last hour's throughput and failures,
queue depth, live workers, and what is stuck.

``workflow_counts`` reads the whole workflows table and ``workflow_throughput`` the last hour's
index entries, so both are cached for a few seconds (``cache_seconds``) and shared by every open
page; the other reads cost what they show.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from starlette.responses import Response

from .. import _sql
from . import _svg
from ._html import STATUSES, Markup, ago, badge, q, section, short_id, table, tag, yes
from ._view import View


async def render(view: View) -> Response:
    settings, db = view.settings, view.db
    stale = settings.stale_seconds
    counts = await db.cached(
        ("counts", stale), settings.cache_seconds, lambda: db.rows(_sql.DASHBOARD_COUNTS, (stale,))
    )
    throughput = await db.cached(
        "throughput", settings.cache_seconds, lambda: db.rows(_sql.DASHBOARD_THROUGHPUT, (60,))
    )
    depth = await db.rows(_sql.DASHBOARD_QUEUE_DEPTH, (stale,))
    workers = await db.rows(_sql.DASHBOARD_WORKERS, (stale,))
    stuck = await db.rows(_sql.DASHBOARD_STUCK, (50, stale))
    now = await view.now()
    live = Markup(
        _totals(view, counts)
        + section("Last hour", _svg.throughput(throughput), _hour_summary(throughput))
        + section("Stuck", _stuck(view, stuck, now), id="stuck")
        + section("By name", _by_name(view, counts))
        + tag(
            "div",
            section("Queue depth", _queue_depth(view, depth, now)),
            section("Live workers", _live_workers(view, workers, now)),
            class_="columns",
        )
    )
    return view.render(title="Overview", active="overview", body=tag("h1", "Overview"), live=live)


def _totals(view: View, counts: list[dict[str, Any]]) -> Markup:
    totals: dict[str, int] = defaultdict(int)
    for row in counts:
        totals[row["status"]] += int(row["count"])
    cards = [
        tag(
            "a",
            tag("span", f"{totals.get(status, 0):,}", class_="count"),
            tag("span", status, class_="label"),
            href=view.url(f"/workflows?status={status}"),
            class_=f"card s-{status.lower()}",
        )
        for status in STATUSES
    ]
    return tag("div", *cards, class_="cards")


def _hour_summary(rows: list[dict[str, Any]]) -> Markup:
    created = sum(int(r["created"]) for r in rows)
    succeeded = sum(int(r["succeeded"]) for r in rows)
    failed = sum(int(r["failed"]) for r in rows)
    cancelled = sum(int(r["cancelled"]) for r in rows)
    return tag(
        "p",
        f"{created:,} created, {succeeded:,} succeeded, {failed:,} failed, {cancelled:,} cancelled"
        " in the last hour.",
        class_="muted",
    )


def _by_name(view: View, counts: list[dict[str, Any]]) -> Markup:
    names: dict[str, dict[str, int]] = defaultdict(dict)
    served: dict[str, bool] = {}
    for row in counts:
        names[row["name"]][row["status"]] = int(row["count"])
        served[row["name"]] = bool(row["served"])
    rows = []
    for name, by_status in sorted(names.items()):
        cells: list[Any] = [tag("a", name, href=view.url(f"/workflows?name={q(name)}"))]
        cells.append(_svg.status_bar(by_status))
        for status in STATUSES:
            n = by_status.get(status, 0)
            cells.append(
                tag("a", f"{n:,}", href=view.url(f"/workflows?name={q(name)}&status={status}"))
                if n
                else Markup('<span class="zero">0</span>')
            )
        cells.append(yes(served[name]))
        rows.append(cells)
    return table(
        ["name", "", *(s.lower() for s in STATUSES), "served"],
        rows,
        empty="no workflows yet",
        class_="by-name",
    )


def _queue_depth(view: View, depth: list[dict[str, Any]], now: Any) -> Markup:
    return table(
        ["name", "ready", "scheduled", "waiting", "running", "head waits", "served"],
        [
            [
                tag("a", r["name"], href=view.url(f"/workflows?name={q(r['name'])}")),
                f"{r['ready']:,}",
                f"{r['scheduled']:,}",
                f"{r['waiting']:,}",
                f"{r['running']:,}",
                ago(r["oldest_ready"], now),
                yes(r["served"]),
            ]
            for r in depth
        ],
        empty="nothing queued",
    )


def _live_workers(view: View, workers: list[dict[str, Any]], now: Any) -> Markup:
    alive = [w for w in workers if w["alive"]]
    return table(
        ["worker", "running", "serves", "heartbeat"],
        [
            [
                w["name"],
                f"{len(w['running'])} / {w['concurrency']}",
                ", ".join(w["workflows"]),
                ago(w["heartbeat_at"], now),
            ]
            for w in alive
        ],
        empty="no live worker",
    )


def _stuck(view: View, stuck: list[dict[str, Any]], now: Any) -> Markup:
    return table(
        ["workflow", "name", "status", "why", "since"],
        [
            [
                tag("a", short_id(r["id"]), href=view.url(f"/workflows/{r['id']}"), class_="id"),
                r["name"],
                badge(r["status"]),
                r["reason"],
                ago(r["since"], now),
            ]
            for r in stuck
        ],
        empty="nothing is stuck",
    )
