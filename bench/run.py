"""pgqrs benchmarks (``make bench``). See docs/performance.md for what each figure means.

Starts a throwaway PostgreSQL 15 cluster with PostgreSQL's default durability (fsync on,
synchronous_commit on) and pg_stat_statements (track = all), or uses the server of
``PGQRS_BENCH_DSN`` (a role that may create databases), installs pgqrs with ``admin.install()``
into a fresh database, and measures:

1. step cost (decorators and low-level API) against f1, one autocommit INSERT of a small jsonb row;
2. statements, transactions and WAL flushes per step, counted on the server;
3. replay of a workflow with 1,000 (and 100) finished steps;
4. throughput of one-step workflows with 1 and 2 worker processes at concurrency 1 and 8;
5. pickup latency of an idle worker, and result latency of ``handle.result()``;
6. storage per completed step;
7. claims, one worker's throughput, next_claim_at, listings and counts on a database holding
   1,000,000 finished and 100,000 queued workflows of other names, against an empty one;
8. one worker's throughput while another session holds the xmin horizon back for 60 s.

The machine may be shared and noisy, so every figure comes with a floor measured in the same run
(for 7 and 8: the same figure on an empty database, or without the held-back horizon),
interleaved with its repetitions, and is reported as a ratio to it: the median and min-max of the
repetitions that follow a warm-up repetition. Progress goes to stderr, the table to stdout, and
everything (raw repetitions included) to bench/results.json.

    python bench/run.py [--reps N] [--only 1,4] [--quick] [--out PATH]

Layout: this file holds the command line and the run. Each figure is a module of bench/figures/,
whose __init__.py lists them (FIGURES); bench/_common.py holds what the figures share,
bench/report.py the table and the description of the machine and server, bench/observe.py the
server-side counters, bench/flows.py the workflows, bench/worker.py the worker process and
bench/fill.py the rows that fill a large database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import (  # noqa: E402
    ROOT,
    STARTED,
    Env,
    Figure,
    drop_database,
    fresh_database,
    install,
    progress,
)
from figures import FIGURES  # noqa: E402
from observe import Observer, ServerCPU  # noqa: E402
from report import machine_info, print_report, server_info  # noqa: E402

from pgqrs import testing  # noqa: E402

#: Server settings of the throwaway cluster: PostgreSQL's defaults (fsync, synchronous_commit and
#: full_page_writes on) plus what the counting needs.
SETTINGS = {
    "shared_preload_libraries": "pg_stat_statements",
    "pg_stat_statements.track": "all",
    "max_connections": "100",
}


async def run_all(
    admin_dsn: str,
    args: argparse.Namespace,
    external: bool,
    server_cpu: Callable[[], float] | None,
) -> dict[str, Any]:
    suffix = f"_{os.getpid()}" if external else ""
    bench_db, obs_db = f"pgqrs_bench{suffix}", f"pgqrs_bench_obs{suffix}"
    info = machine_info()
    results: dict[str, Any] = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": info,
        "server_kind": "PGQRS_BENCH_DSN" if external else "TemporaryCluster (PostgreSQL 15)",
        "server_settings_passed": {} if external else SETTINGS,
        "repetitions": args.reps,
    }
    env_dbs = [bench_db, obs_db]
    try:
        bench_dsn = await fresh_database(admin_dsn, bench_db)
        obs_dsn = await fresh_database(admin_dsn, obs_db)
        applied = await install(bench_dsn)
        obs = Observer(obs_dsn, bench_db)
        await obs.open()
        env = Env(admin_dsn, bench_db, bench_dsn, obs_db, obs, external, args.reps, args.quick)
        env.server_cpu = server_cpu
        results["server"] = await server_info(obs)
        results["installed"] = applied
        srv = results["server"]
        progress(
            f"PostgreSQL {srv.get('server_version')} fsync={srv.get('fsync')}"
            f" synchronous_commit={srv.get('synchronous_commit')};"
            f" pg_stat_statements {'on (track=' + obs.track + ')' if obs.pgss else 'unavailable'};"
            f" nproc {info['nproc']}; {args.reps} repetitions after a warm-up"
        )
        if not obs.pgss:
            env.notes.append(
                f"statement counts are n/a: {obs.pgss_note} (load it with"
                " shared_preload_libraries = pg_stat_statements)"
            )
        elif obs.track != "all":
            env.notes.append(
                f"pg_stat_statements.track = {obs.track}: statements inside PL/pgSQL are not seen"
            )
        if srv.get("fsync") != "on" or srv.get("synchronous_commit") != "on":
            env.notes.append("the server does not run with default durability: see 'server'")
        if not obs.wal:
            env.notes.append("pg_stat_wal unavailable (PostgreSQL < 14): WAL flushes are n/a")
        figures: list[Figure] = []
        errors: dict[str, str] = {}
        wanted = args.only or sorted(FIGURES)
        for number in wanted:
            title, fn = FIGURES[number]
            progress(f"{number}. {title}: running")
            try:
                figures.extend(await fn(env))
            except Exception as exc:  # report it, carry on with the other figures
                errors[title] = f"{type(exc).__name__}: {exc}"
                progress(f"{number}. {title}: FAILED: {errors[title]}")
        await obs.close()
        results["machine"]["loadavg_end"] = os.getloadavg()
        results["figures"] = [asdict(f) for f in figures]
        results["errors"] = errors
        results["notes"] = env.notes
        results["evidence"] = env.evidence
        results["_figures"] = figures
        env_dbs += env.dbs
    finally:
        if external:
            for db in env_dbs:
                await drop_database(admin_dsn, db)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5, help="repetitions after the warm-up")
    parser.add_argument(
        "--only", type=lambda s: [int(x) for x in s.split(",")], help="figures, e.g. 1,4"
    )
    parser.add_argument("--quick", action="store_true", help="smaller runs, for a smoke test")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args(argv)
    if args.reps < 5 and not args.quick:
        parser.error("--reps must be at least 5 (use --quick for a smoke test)")
    dsn = os.environ.get("PGQRS_BENCH_DSN")
    server: Any
    if dsn:
        server = testing.ExternalServer(dsn)
        progress("server: PGQRS_BENCH_DSN")
    else:
        server = testing.TemporaryCluster(SETTINGS, version=15)
        progress("server: throwaway PostgreSQL 15 cluster (initdb)")
    with server:
        cpu = None
        if not dsn:
            pid = int((server.data_dir / "postmaster.pid").read_text().split()[0])
            cpu = ServerCPU(pid)
        results = asyncio.run(run_all(server.dsn, args, external=bool(dsn), server_cpu=cpu))
    results["duration_s"] = round(time.monotonic() - STARTED, 1)
    print_report(results)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    progress(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 1 if results.get("errors") else 0


if __name__ == "__main__":
    sys.exit(main())
