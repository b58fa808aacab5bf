"""Server-side counters for the benchmarks, and the small statistics they are reported with.

:class:`Observer` holds one autocommit connection to a database of its own (not the benchmark
database), so that its queries never count in the benchmark database's ``pg_stat_database`` row
nor in its ``pg_stat_statements`` entries (which are filtered by ``dbid``). Queries the benchmark
itself must send in the benchmark database (the throughput poll) carry the marker
:data:`MARKER` in a column alias and are excluded by it.

Counters:

* ``pg_stat_statements``: calls per statement, ``toplevel`` (sent by a client) or not (run inside
  a PL/pgSQL function; seen with ``pg_stat_statements.track = all``). Updated at once.
* ``pg_stat_wal.wal_sync``: fsyncs of WAL files, by any process (backends on synchronous
  commit, the WAL writer for asynchronous ones, checkpoints).
* ``pg_stat_database.xact_commit``: committed transactions in the benchmark database.

The last two are cumulative statistics that a backend publishes at most once a second, or when
it exits: :meth:`Observer.settle` waits until every client of the benchmark database has gone
(their statistics are then flushed) and gives the WAL writer a moment, before a snapshot.
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import statistics
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

MARKER = "bench_poll"


@dataclass
class Counters:
    wal_sync: int | None
    wal_write: int | None
    wal_records: int | None
    xact_commit: int | None

    def minus(self, before: Counters) -> Counters:
        def d(a: int | None, b: int | None) -> int | None:
            return None if a is None or b is None else a - b

        return Counters(
            d(self.wal_sync, before.wal_sync),
            d(self.wal_write, before.wal_write),
            d(self.wal_records, before.wal_records),
            d(self.xact_commit, before.xact_commit),
        )


@dataclass
class Statements:
    top: int
    nested: int
    rows: list[dict[str, Any]] = field(default_factory=list)

    def calls_like(self, fragment: str, *, toplevel: bool = True) -> int:
        return sum(
            r["calls"] for r in self.rows if r["toplevel"] == toplevel and fragment in r["query"]
        )


class Observer:
    def __init__(self, obs_dsn: str, bench_db: str) -> None:
        self.obs_dsn = obs_dsn
        self.bench_db = bench_db
        self.conn: psycopg.AsyncConnection[Any] | None = None
        self.pgss = False  # pg_stat_statements usable (reset and read)
        self.pgss_note = ""
        self.track = "?"
        self.wal = False
        self.bench_oid: int | None = None

    async def open(self) -> None:
        self.conn = await psycopg.AsyncConnection.connect(self.obs_dsn, autocommit=True)
        row = await (
            await self.conn.execute(
                "SELECT oid FROM pg_catalog.pg_database WHERE datname = %s", (self.bench_db,)
            )
        ).fetchone()
        assert row is not None, self.bench_db
        self.bench_oid = row[0]
        try:
            await self.conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            await self.conn.execute("SELECT pg_stat_statements_reset()")
            await self.conn.execute("SELECT count(*) FROM pg_stat_statements")
            track = await (await self.conn.execute("SHOW pg_stat_statements.track")).fetchone()
            self.track = str(track[0]) if track else "?"
            self.pgss = True
        except psycopg.Error as exc:
            self.pgss_note = f"pg_stat_statements unavailable: {exc.diag.message_primary or exc}"
        try:
            await self.conn.execute("SELECT wal_sync FROM pg_catalog.pg_stat_wal")
            self.wal = True
        except psycopg.Error:
            self.wal = False

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()

    async def _one(self, query: Any, params: Any = ()) -> tuple[Any, ...]:
        assert self.conn is not None
        row = await (await self.conn.execute(query, params)).fetchone()
        assert row is not None
        return tuple(row)

    async def clock(self) -> datetime:
        """The server's clock_timestamp() (the clock every server-side timestamp comes from)."""
        return (await self._one("SELECT pg_catalog.clock_timestamp()"))[0]  # type: ignore[no-any-return]

    async def setting(self, name: str) -> str:
        return str((await self._one("SELECT pg_catalog.current_setting(%s)", (name,)))[0])

    async def reset_statements(self) -> None:
        if self.pgss:
            assert self.conn is not None
            await self.conn.execute("SELECT pg_stat_statements_reset()")

    async def statements(self) -> Statements | None:
        """Statements run in the benchmark database since the last reset (marker excluded)."""
        if not self.pgss:
            return None
        assert self.conn is not None
        cur = await self.conn.execute(
            "SELECT query, toplevel, calls, total_exec_time, rows"
            " FROM pg_stat_statements WHERE dbid = %s AND query NOT LIKE %s"
            " ORDER BY toplevel DESC, calls DESC, total_exec_time DESC",
            (self.bench_oid, f"%{MARKER}%"),
        )
        rows = [
            {
                "query": q,
                "toplevel": bool(top),
                "calls": int(calls),
                "total_ms": round(float(ms), 3),
                "rows": int(nrows),
            }
            for q, top, calls, ms, nrows in await cur.fetchall()
        ]
        return Statements(
            top=sum(r["calls"] for r in rows if r["toplevel"]),
            nested=sum(r["calls"] for r in rows if not r["toplevel"]),
            rows=rows,
        )

    async def calls_in(self, datname: str, fragment: str) -> tuple[int, float] | None:
        """(calls, total execution ms) of the top-level statements containing ``fragment`` run
        in database ``datname`` so far, or None without pg_stat_statements. For figures that
        run in a database of their own: take the difference of two readings."""
        if not self.pgss:
            return None
        row = await self._one(
            "SELECT coalesce(sum(s.calls), 0), coalesce(sum(s.total_exec_time), 0)"
            " FROM pg_stat_statements s JOIN pg_catalog.pg_database d ON d.oid = s.dbid"
            " WHERE d.datname = %s AND s.toplevel AND s.query LIKE %s",
            (datname, f"%{fragment}%"),
        )
        return int(row[0]), float(row[1])

    async def blocks_in(self, datname: str) -> int | None:
        """Shared buffers (hit or read) of the top-level statements run in database ``datname``
        so far, or None without pg_stat_statements: the work of those statements, whatever
        else the machine runs. Take the difference of two readings."""
        if not self.pgss:
            return None
        (blocks,) = await self._one(
            "SELECT coalesce(sum(s.shared_blks_hit + s.shared_blks_read), 0)"
            " FROM pg_stat_statements s JOIN pg_catalog.pg_database d ON d.oid = s.dbid"
            " WHERE d.datname = %s AND s.toplevel",
            (datname,),
        )
        return int(blocks)

    async def counters(self) -> Counters:
        wal: tuple[Any, ...] = (None, None, None)
        if self.wal:
            wal = await self._one(
                "SELECT wal_sync, wal_write, wal_records FROM pg_catalog.pg_stat_wal"
            )
        (commits,) = await self._one(
            "SELECT xact_commit FROM pg_catalog.pg_stat_database WHERE datid = %s",
            (self.bench_oid,),
        )
        return Counters(
            None if wal[0] is None else int(wal[0]),
            None if wal[1] is None else int(wal[1]),
            None if wal[2] is None else int(wal[2]),
            None if commits is None else int(commits),
        )

    async def settle(self, keep: int = 0) -> None:
        """Wait until at most ``keep`` client backends are connected to the benchmark database
        (a backend flushes its statistics when it exits), then give the WAL writer 0.25 s to
        publish its own."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10.0
        while True:
            (n,) = await self._one(
                "SELECT count(*) FROM pg_catalog.pg_stat_activity"
                " WHERE datid = %s AND backend_type = 'client backend'",
                (self.bench_oid,),
            )
            if n <= keep or loop.time() > deadline:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.25)


# -- summaries of Statements.rows -----------------------------------------------------------------


def breakdown(rows: list[dict[str, Any]], n: float, *, toplevel: bool = True) -> dict[str, float]:
    """Calls per unit by statement, named by the pgqrs function they call when there is one."""
    out: dict[str, float] = {}
    for r in rows:
        if r["toplevel"] != toplevel:
            continue
        m = re.search(r"pgqrs\.(\w+)\s*\(", r["query"])
        name = m.group(1) if m and toplevel else " ".join(r["query"].split())[:90]
        out[name] = round(out.get(name, 0) + r["calls"] / n, 3)
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def exec_times(rows: list[dict[str, Any]], n: float, *, toplevel: bool) -> list[dict[str, Any]]:
    """Statements by server execution time per unit (commit and fsync not included)."""
    out = []
    for r in rows:
        if r["toplevel"] != toplevel or not r["calls"]:
            continue
        out.append(
            {
                "query": " ".join(r["query"].split())[:140],
                "calls_per_unit": round(r["calls"] / n, 3),
                "ms_per_call": round(r["total_ms"] / r["calls"], 4),
                "ms_per_unit": round(r["total_ms"] / n, 4),
            }
        )
    out.sort(key=lambda x: -x["ms_per_unit"])
    return out


def nested_top(rows: list[dict[str, Any]], n: float, limit: int = 12) -> list[dict[str, Any]]:
    nested = [r for r in rows if not r["toplevel"]]
    nested.sort(key=lambda r: -r["total_ms"])
    return [
        {
            "query": " ".join(r["query"].split())[:160],
            "calls_per_unit": round(r["calls"] / n, 3),
            "total_ms": r["total_ms"],
        }
        for r in nested[:limit]
    ]


# -- statistics -----------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), linear between closest ranks (numpy's default)."""
    xs = sorted(values)
    if not xs:
        return math.nan
    pos = (len(xs) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def med(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


# -- CPU of the local server ----------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


class ServerCPU:
    """CPU seconds used so far by a local PostgreSQL server: the postmaster, its live children,
    and (through the postmaster's cutime/cstime) every child it has reaped. Linux only."""

    def __init__(self, postmaster_pid: int) -> None:
        self.pid = postmaster_pid
        self.tick = os.sysconf("SC_CLK_TCK")

    def __call__(self) -> float:
        pm = _stat_fields(self.pid)
        if pm is None:
            return math.nan
        # fields after the command: state=0 ppid=1 ... utime=11 stime=12 cutime=13 cstime=14
        total = sum(int(pm[i]) for i in (11, 12, 13, 14))
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            f = _stat_fields(int(entry))
            if f is not None and int(f[1]) == self.pid:
                total += int(f[11]) + int(f[12])
        return total / self.tick
