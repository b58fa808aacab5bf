"""The dashboard's Prometheus gauges, read from the database at each scrape (``pgqrs dashboard
--metrics-port``): workflows by name and status, queue depth, workers, stuck workflows, and the
last full minute's throughput. Workers export what they do themselves (``Worker(metrics_port=)``);
these are the numbers only the database knows. Reads are cached like the Overview's, so
scrapes and pages share them."""

from __future__ import annotations

from collections import Counter as Tally

from .. import _metrics, _sql
from ._db import Database
from ._view import Settings


class DatabaseGauges:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    async def collect(self) -> list[_metrics.Metric]:
        db, stale, ttl = self.db, self.settings.stale_seconds, self.settings.cache_seconds
        counts = await db.cached(
            ("counts", stale), ttl, lambda: db.rows(_sql.DASHBOARD_COUNTS, (stale,))
        )
        depth = await db.rows(_sql.DASHBOARD_QUEUE_DEPTH, (stale,))
        workers = await db.rows(_sql.DASHBOARD_WORKERS, (stale,))
        stuck = await db.rows(_sql.DASHBOARD_STUCK, (1000, stale))
        minutes = await db.cached(
            "throughput", ttl, lambda: db.rows(_sql.DASHBOARD_THROUGHPUT, (60,))
        )
        now = (await db.one(_sql.DASHBOARD_NOW))["now"]

        workflows = _metrics.Gauge(
            "pgqrs_workflows", "Workflows in the database, by name and status.", ("name", "status")
        )
        for row in counts:
            workflows.set(float(row["count"]), row["name"], row["status"])
        queue = _metrics.Gauge(
            "pgqrs_queue_depth",
            "Queued workflows by name and state: ready (claimable now), scheduled (later), "
            "waiting (to be woken), running (under a live lease).",
            ("name", "state"),
        )
        head = _metrics.Gauge(
            "pgqrs_queue_oldest_ready_seconds",
            "How long the oldest ready workflow of each name has waited to be claimed.",
            ("name",),
        )
        for row in depth:
            for state in ("ready", "scheduled", "waiting", "running"):
                queue.set(float(row[state]), row["name"], state)
            if row["oldest_ready"] is not None:
                head.set(max(0.0, (now - row["oldest_ready"]).total_seconds()), row["name"])
        alive = _metrics.Gauge(
            "pgqrs_worker_alive",
            "1 for a registered worker that is alive, 0 otherwise.",
            ("worker",),
        )
        for row in workers:
            alive.set(1.0 if row["alive"] else 0.0, row["name"])
        stuck_kinds = _metrics.Gauge(
            "pgqrs_stuck_workflows",
            "Workflows that will not move without someone acting (pgqrs.stuck_workflows), by "
            "kind: lease_expired, dead, lost_wakeup, unserved (one per name).",
            ("kind",),
        )
        tally = Tally(_kind(row["reason"]) for row in stuck)
        for kind in ("lease_expired", "dead", "lost_wakeup", "unserved"):
            stuck_kinds.set(float(tally.get(kind, 0)), kind)
        last = _metrics.Gauge(
            "pgqrs_workflows_last_minute",
            "Workflows created and finished (by outcome) in the last full minute.",
            ("event",),
        )
        if len(minutes) >= 2:
            full = minutes[-2]
            for event in ("created", "succeeded", "failed", "cancelled"):
                last.set(float(full[event]), event)
        return [workflows, queue, head, alive, stuck_kinds, last]


def _kind(reason: str) -> str:
    if reason.startswith("lease expired"):
        return "lease_expired"
    if reason.startswith("DEAD"):
        return "dead"
    if reason.startswith("waits for"):
        return "lost_wakeup"
    return "unserved"
