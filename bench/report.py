"""The report of ``make bench``: the table on stdout, and the description of the machine and
of the server that results.json records with the figures."""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
from _common import ROOT, Figure, fmt
from observe import Observer

import pgqrs

# --------------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------------


def span(lo: float | None, hi: float | None) -> str:
    if lo is None or hi is None:
        return ""
    return f"[{fmt(lo)}-{fmt(hi)}]"


def render_table(figures: list[Figure]) -> str:
    head = ("figure", "value [min-max]", "floor", "ratio [min-max]", "target", "result")
    rows = [head]
    for f in figures:
        value = f"{fmt(f.value)} {f.unit}".strip()
        if f.lo is not None and f.reps > 1:
            value += f" {span(f.lo, f.hi)}"
        floor = f"{f.floor_label} {fmt(f.floor)}".strip() if f.floor_label else ""
        ratio = ""
        if f.ratio is not None:
            ratio = f"{fmt(f.ratio)}x"
            if f.ratio_lo is not None and f.reps > 1:
                ratio += f" {span(f.ratio_lo, f.ratio_hi)}"
        result = "" if not f.target else ("n/a" if f.met is None else "met" if f.met else "MISSED")
        rows.append((f.label, value, floor, ratio, f.target, result))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = []
    for n, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def print_report(results: dict[str, Any]) -> None:
    figures: list[Figure] = results.pop("_figures")
    info, srv = results["machine"], results.get("server", {})
    print()
    print(
        f"pgqrs benchmarks, {results['timestamp']} on {info['nproc']} CPUs ({info['cpu']}),"
        f" Python {info['python']}, PostgreSQL {srv.get('server_version', '?')}"
        f" (fsync={srv.get('fsync')}, synchronous_commit={srv.get('synchronous_commit')});"
        f" {results['repetitions']} repetitions after a warm-up (throughput: 3)"
    )
    print()
    print(render_table(figures))
    print()
    notes = [f"{f.label}: {f.note}" for f in figures if f.note]
    if notes:
        print("notes:")
        for note in notes:
            print(f"  {note}")
    for note in results.get("notes", []):
        print(f"  {note}")
    for title, err in results.get("errors", {}).items():
        print(f"  ERROR in {title}: {err}")
    missed = [f.label for f in figures if f.target and f.met is False]
    print()
    print(f"targets missed: {len(missed)}" + (f" ({'; '.join(missed)})" if missed else ""))


# --------------------------------------------------------------------------------------------------
# Machine and server
# --------------------------------------------------------------------------------------------------


def git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def machine_info() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError):
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    digest = hashlib.sha256()
    for path in sorted([*ROOT.glob("pgqrs/**/*.py"), *ROOT.glob("sql/**/*.sql")]):
        digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_count": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "loadavg_start": os.getloadavg(),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "psycopg": psycopg.__version__,
        "pgqrs": pgqrs.__version__,
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty_pgqrs_sql": git("status", "--porcelain", "--", "pgqrs", "sql").splitlines(),
        "source_sha256": digest.hexdigest(),
    }


async def server_info(obs: Observer) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in (
        "server_version",
        "fsync",
        "synchronous_commit",
        "full_page_writes",
        "wal_sync_method",
        "commit_delay",
        "wal_writer_delay",
        "shared_buffers",
        "max_connections",
        "shared_preload_libraries",
    ):
        with contextlib.suppress(psycopg.Error):
            out[name] = await obs.setting(name)
    out["pg_stat_statements"] = obs.pgss
    out["pg_stat_statements.track"] = obs.track
    out["pg_stat_wal"] = obs.wal
    return out
