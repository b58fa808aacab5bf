"""The ``pgqrs`` command line: install the schema, inspect workflows and workers, cancel, resume
or fork a workflow, prune old ones, run a worker.

``pgqrs --help`` lists the commands. Every command but ``worker`` uses the synchronous client;
``worker`` runs :class:`pgqrs.Worker` in an asyncio loop until SIGTERM or SIGINT.

Exit codes: 0 on success (and after a worker's clean drain; also for ``workflows cancel`` of a
workflow that had already finished, which it says); 1 when pgqrs or the database refuses (one
line on stderr, no traceback); 2 for a usage error; 130 when ``prune`` is interrupted (what it
deleted by then stays deleted, and it says how much).

Times are shown as ages against the database server's clock, so a skewed local clock does not
distort them: ``12s ago``, ``3m12s ago``, ``in 20s`` for a time still to come.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import psycopg

from . import __version__, _retention, _sql, admin, connect, connect_sync
from ._admin_sync import SyncAdmin
from ._codec import as_uuid
from ._results import PruneResult, StepAttempt, StepInfo, WorkflowInfo, WorkflowSummary
from ._worker import Worker, collect_workflows
from .errors import PgqrsError

STATUSES = ("PENDING", "RUNNING", "SUCCESS", "FAILED", "DEAD", "CANCELLED")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Step values and errors in the steps and attempts tables of ``workflows show`` are cut to this
# many characters.
VALUE_WIDTH = 60

Handler = Callable[[argparse.Namespace], int]


class UsageError(Exception):
    """A command line that cannot work (exit status 2), such as a module with no workflows."""


class PruneBusyError(Exception):
    """``prune`` waited ``--wait`` seconds for another session that kept pruning (exit 1)."""


# --- entry point ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.dsn:
        parser.error("no database: pass --dsn or set PGQRS_DSN")
    handler: Handler = args.handler
    try:
        return handler(args)
    except UsageError as exc:
        return _fail(str(exc), 2)
    except PgqrsError as exc:
        return _fail(str(exc), 1)
    except psycopg.Error as exc:
        return _fail(_database_error(exc), 1)
    except BrokenPipeError:  # ``pgqrs ... | head``: stop quietly, as other tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _fail(message: str, status: int) -> int:
    """Print ``pgqrs: error: <message>`` on one line of stderr and return ``status``."""
    message = message.removeprefix("pgqrs: ")
    print(f"pgqrs: error: {_one_line(message)}", file=sys.stderr)
    return status


def _database_error(exc: psycopg.Error) -> str:
    """A one-line description of a database error, with a hint when pgqrs is not installed."""
    text = str(exc).strip().splitlines()
    message = text[0] if text else type(exc).__name__
    if isinstance(exc, (psycopg.errors.UndefinedFunction, psycopg.errors.InvalidSchemaName)):
        message += " (is pgqrs installed? run `pgqrs install`)"
    return message


# --- argument parsing -----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The parser of the whole command line; each command sets ``handler``."""
    parser = argparse.ArgumentParser(prog="pgqrs", description="Durable workflows in PostgreSQL.")
    parser.add_argument("--version", action="version", version=f"pgqrs {__version__}")
    parser.add_argument(
        "--dsn",
        default=os.environ.get("PGQRS_DSN"),
        help="libpq connection string or URL (default: $PGQRS_DSN)",
    )
    # --dsn is accepted after the command too: ``pgqrs status --dsn ...``.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--dsn",
        default=argparse.SUPPRESS,
        help="libpq connection string or URL (default: $PGQRS_DSN)",
    )

    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub = commands.add_parser(
        "install", parents=[common], help="install or upgrade the pgqrs schema (idempotent)"
    )
    sub.set_defaults(handler=cmd_install)
    sub = commands.add_parser(
        "version", parents=[common], help="print the version of the installed pgqrs SQL"
    )
    sub.set_defaults(handler=cmd_version)
    _add_worker_parser(commands, common)
    sub = commands.add_parser(
        "status", parents=[common], help="workflow counts by name and status, and the workers"
    )
    sub.set_defaults(handler=cmd_status)
    _add_workflows_parser(commands, common)
    sub = commands.add_parser(
        "revive", parents=[common], help="put a DEAD workflow back in the queue"
    )
    sub.add_argument("id", help="workflow id")
    sub.set_defaults(handler=cmd_revive)
    _add_prune_parser(commands, common)
    _add_dashboard_parser(commands, common)
    return parser


def _add_worker_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    sub = commands.add_parser(
        "worker",
        parents=[common],
        help="run the @workflow functions of a module as they are started",
        description=(
            "Import MODULE (the current directory is on the path, as with python -m) and run "
            "its @workflow functions as they are started, until SIGTERM or SIGINT: then stop "
            "claiming, let running workflows finish their current step within the grace "
            "period, and release their leases. A second signal skips the rest of the grace "
            "period."
        ),
    )
    sub.add_argument("module", metavar="MODULE", help="dotted path of the module to serve")
    opt = sub.add_argument
    opt(
        "--concurrency",
        metavar="N",
        type=_positive_int,
        default=4,
        help="workflows run at once (default 4)",
    )
    opt(
        "--name",
        metavar="NAME",
        help="worker name and lease owner; a restart under the same name takes its leases back "
        "at once (default: $PGQRS_RUNNER_ID, else host:pid)",
    )
    opt(
        "--lease-seconds",
        metavar="S",
        type=_lease_seconds,
        default=30.0,
        help="lease length: how long the work of a worker that died waits before another "
        "worker takes it over (default 30)",
    )
    opt(
        "--grace-period",
        metavar="S",
        type=_non_negative_float,
        default=30.0,
        help="on shutdown, how long running workflows may take to finish their current step "
        "(default 30)",
    )
    opt(
        "--poll-interval",
        metavar="S",
        type=_positive_float,
        default=5.0,
        help="backstop poll for new work, in seconds (default 5)",
    )
    opt(
        "--pool-size",
        metavar="N",
        type=_positive_int,
        default=4,
        help="connections in the worker's pool (default 4)",
    )
    opt(
        "--no-prepare",
        action="store_true",
        help="no server-side prepared statements (prepare_threshold=None), for PgBouncer in "
        "transaction mode",
    )
    listen = sub.add_mutually_exclusive_group()
    listen.add_argument(
        "--listen-dsn",
        metavar="DSN",
        help="LISTEN for new work on this server instead (e.g. the PostgreSQL behind a PgBouncer)",
    )
    listen.add_argument(
        "--no-listen",
        action="store_true",
        help="do not LISTEN: find new work by polling every --poll-interval",
    )
    opt(
        "--retention",
        metavar="DURATION",
        type=_duration,
        help="prune workflows finished longer ago than this (30d, 12h, 90m, 3600s) in the "
        "background, once a minute; one worker per database prunes at a time (default: never)",
    )
    opt(
        "--metrics-port",
        metavar="PORT",
        type=int,
        help="serve Prometheus metrics on http://0.0.0.0:PORT/metrics (docs/observability.md)",
    )
    opt(
        "--log-level",
        metavar="LEVEL",
        type=str.upper,
        choices=LOG_LEVELS,
        default="INFO",
        help="DEBUG, INFO (default), WARNING or ERROR",
    )
    sub.set_defaults(handler=cmd_worker)


def _add_workflows_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser(
        "workflows", help="list workflows, show one, or cancel, resume or fork one"
    )
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    sub = actions.add_parser("list", parents=[common], help="the newest workflows")
    sub.add_argument(
        "--status",
        metavar="STATUS",
        type=str.upper,
        choices=STATUSES,
        help="only this status: " + ", ".join(STATUSES),
    )
    sub.add_argument("--name", metavar="NAME", help="only workflows of this name")
    sub.add_argument(
        "--limit",
        metavar="N",
        type=_positive_int,
        default=50,
        help="at most this many, newest first (default 50)",
    )
    sub.set_defaults(handler=cmd_workflows_list)
    sub = actions.add_parser(
        "show", parents=[common], help="one workflow, its steps and every attempt of each"
    )
    sub.add_argument("id", help="workflow id")
    sub.set_defaults(handler=cmd_workflows_show)
    sub = actions.add_parser(
        "cancel",
        parents=[common],
        help="cancel a workflow that has not finished",
        description=(
            "Cancel a PENDING, RUNNING or DEAD workflow: it becomes CANCELLED, and a worker "
            "still running it stops at its next step or heartbeat. Prints 'cancelled ID'. A "
            "workflow that already finished (SUCCESS, FAILED or CANCELLED) is left as it is and "
            "the command says so; it still exits 0, so scripts can cancel idempotently (the "
            "workflow is not running either way). An unknown id exits 1."
        ),
    )
    sub.add_argument("id", help="workflow id")
    sub.add_argument(
        "--reason",
        metavar="TEXT",
        help="why, stored as the workflow's error message (at most 1000 characters)",
    )
    sub.set_defaults(handler=cmd_workflows_cancel)
    sub = actions.add_parser(
        "resume",
        parents=[common],
        help="run a FAILED, DEAD or CANCELLED workflow again from where it stopped",
        description=(
            "Queue a FAILED, DEAD or CANCELLED workflow for a worker again: completed steps stay "
            "completed, failed steps get a fresh attempt budget, the deadline is removed. A "
            "workflow in another state is an error (exit 1)."
        ),
    )
    sub.add_argument("id", help="workflow id")
    sub.set_defaults(handler=cmd_workflows_resume)
    sub = actions.add_parser(
        "fork",
        parents=[common],
        help="copy a workflow into a new queued one; print the new id",
        description=(
            "Create a new workflow with the same name, input and policies, queued for a worker. "
            "With --from-step it keeps the recorded outcomes of the steps before KEY and runs "
            "KEY and every later step again; without it everything runs again. The source is "
            "left as it is. Prints the id of the new workflow."
        ),
    )
    sub.add_argument("id", help="id of the workflow to copy")
    sub.add_argument(
        "--from-step",
        metavar="KEY",
        help="the first step to run again (a step key, as 'workflows show' lists it)",
    )
    sub.add_argument(
        "--id",
        metavar="NEW_ID",
        dest="new_id",
        help="id of the new workflow; forking again with the same id returns the same fork",
    )
    sub.set_defaults(handler=cmd_workflows_fork)


def _add_prune_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    sub = commands.add_parser(
        "prune",
        parents=[common],
        help="delete finished workflows older than a window, with their steps and messages",
        description=(
            "Delete finished workflow trees (SUCCESS, FAILED and CANCELLED; DEAD too with "
            "--include-dead) whose every member finished more than --older-than ago, with "
            "their steps, step attempts, messages and events, and messages consumed that long "
            "ago: batch after batch (pgqrs.prune, one transaction each) until none is left, "
            "pausing between batches as a worker's pruner does unless --pause 0. "
            "Progress goes to stderr, one line per batch (one updating line on a terminal); "
            "the totals to stdout. Running workflows are never touched, and a tree goes only "
            "whole. When another session is pruning this database, it waits for it. See "
            "docs/retention.md."
        ),
    )
    opt = sub.add_argument
    opt(
        "--older-than",
        metavar="DURATION",
        type=_duration,
        required=True,
        help="the window: a number and a unit, such as 30d, 12h, 90m or 3600s (at least 1m)",
    )
    opt(
        "--include-dead",
        action="store_true",
        help="delete DEAD workflows too (by default they wait for an operator)",
    )
    opt(
        "--batch",
        metavar="N",
        type=_positive_int,
        default=1000,
        help="workflow trees per batch, at most 100000 (default 1000)",
    )
    opt(
        "--pause",
        metavar="S",
        type=_non_negative_float,
        default=1.0,
        help="after each batch, wait this long or as long as the batch took, whichever is "
        "longer, as a worker's pruner does, so that running workflows keep their speed "
        "(default 1); 0: no wait at all, the fastest, for a quiet moment",
    )
    opt(
        "--wait",
        metavar="S",
        type=_non_negative_float,
        default=60.0,
        help="how long to wait for another session that is pruning before giving up (default 60)",
    )
    opt("--json", action="store_true", help="print the totals as one JSON object")
    sub.set_defaults(handler=cmd_prune)


# Units of --older-than and --retention.
DURATION_UNITS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION_PART = re.compile(r"(\d+)([wdhms])")


def _duration(text: str) -> timedelta:
    """``30d``, ``12h``, ``90m``, ``3600s``, ``1w``, or parts of them together (``1d12h``)."""
    spec = text.strip().lower()
    parts = _DURATION_PART.findall(spec)
    if not parts or "".join(n + u for n, u in parts) != spec:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a duration: give a number and a unit, such as 30d, 12h, 90m or 3600s"
        )
    seconds = sum(int(n) * DURATION_UNITS[u] for n, u in parts)
    try:
        return _retention.window(timedelta(seconds=seconds), "the duration")
    except (PgqrsError, OverflowError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def _lease_seconds(text: str) -> float:
    value = _positive_float(text)
    if value > 86400:
        raise argparse.ArgumentTypeError(f"must be at most 86400, got {text}")
    return value


# --- admin commands -------------------------------------------------------------------------


def _with_admin(dsn: str, run: Callable[[SyncAdmin, datetime], None]) -> int:
    """Open a store on ``dsn``, call ``run(admin, server_now)`` and return exit status 0."""
    # A plain connection first: a wrong DSN fails at once with libpq's own message, rather than
    # after the pool's retry timeout with a vaguer one.
    psycopg.connect(dsn, connect_timeout=10).close()
    with connect_sync(dsn) as store:
        now: datetime = store.call(_sql.SERVER_NOW, check=False)[0][0]
        run(admin(store), now)
    return 0


def cmd_install(args: argparse.Namespace) -> int:
    """``pgqrs install``: install or upgrade the schema."""

    def run(api: SyncAdmin, now: datetime) -> None:
        applied = api.install()
        print("applied " + ", ".join(applied) if applied else "pgqrs is up to date")

    return _with_admin(args.dsn, run)


def cmd_version(args: argparse.Namespace) -> int:
    """``pgqrs version``: the version of the installed SQL."""
    return _with_admin(args.dsn, lambda api, now: print(api.version()))


def cmd_status(args: argparse.Namespace) -> int:
    """``pgqrs status``: workflow counts by name and status, then the workers."""
    return _with_admin(args.dsn, _print_status)


def _print_status(api: SyncAdmin, now: datetime) -> None:
    counts = api.workflow_counts()
    if counts:
        print(
            table(
                ("name", "status", "count", "oldest", "served"),
                [(c.name, c.status, c.count, ago(c.oldest, now), yes(c.served)) for c in counts],
            )
        )
    else:
        print("no workflows")
    print()
    workers = api.list_workers()
    if not workers:
        print("no workers registered")
        return
    print(
        table(
            ("name", "alive", "host", "pid", "concurrency", "running", "heartbeat", "serves"),
            [
                (
                    w.name,
                    yes(w.alive),
                    w.hostname or "-",
                    "-" if w.pid is None else w.pid,
                    w.concurrency,
                    len(w.running),
                    ago(w.heartbeat_at, now),
                    ", ".join(w.workflows),
                )
                for w in workers
            ],
        )
    )


def cmd_workflows_list(args: argparse.Namespace) -> int:
    """``pgqrs workflows list``: the newest workflows, optionally filtered."""

    def run(api: SyncAdmin, now: datetime) -> None:
        found = api.list_workflows(status=args.status, name=args.name, limit=args.limit)
        print(_workflows_table(found, now) if found else "no workflows")

    return _with_admin(args.dsn, run)


def _workflows_table(found: Sequence[WorkflowSummary], now: datetime) -> str:
    return table(
        ("id", "name", "status", "owner", "recoveries", "created", "finished"),
        [
            (
                w.id,
                w.name,
                w.status,
                w.lease_owner or "-",
                w.recoveries,
                ago(w.created_at, now),
                ago(w.finished_at, now),
            )
            for w in found
        ],
    )


def cmd_workflows_show(args: argparse.Namespace) -> int:
    """``pgqrs workflows show ID``: one workflow's fields and traceback, its steps, then every
    attempt of every step."""

    def run(api: SyncAdmin, now: datetime) -> None:
        info = api.get_workflow(args.id)
        steps = api.list_steps(info.id)
        attempts = api.list_step_attempts(info.id)
        print(fields(_workflow_fields(info, now)))
        traceback = (info.error or {}).get("traceback")
        if traceback:
            print("traceback:")
            print(indent(str(traceback)))
        print()
        print(_steps_table(steps, now) if steps else "no steps")
        if attempts:
            print()
            print("attempts:")
            print(_attempts_table(attempts, now))

    return _with_admin(args.dsn, run)


def _steps_table(steps: Sequence[StepInfo], now: datetime) -> str:
    return table(
        ("key", "status", "attempt", "started", "finished", "output / error"),
        [
            (
                s.key,
                s.status,
                s.attempt,
                ago(s.started_at, now),
                ago(s.finished_at, now),
                clip(_step_value(s), VALUE_WIDTH),
            )
            for s in steps
        ],
    )


def _attempts_table(attempts: Sequence[StepAttempt], now: datetime) -> str:
    return table(
        ("position", "key", "attempt", "status", "owner", "started", "took", "error"),
        [
            (
                "-" if a.position is None else a.position,
                a.key,
                a.attempt,
                a.status,
                a.owner or "-",
                ago(a.started_at, now),
                _took(a.started_at, a.finished_at),
                clip(error_summary(a.error), VALUE_WIDTH) if a.error else "-",
            )
            for a in attempts
        ],
    )


def _took(started: datetime | None, finished: datetime | None) -> str:
    """How long an attempt ran, ``-`` while it runs (or when a time is missing)."""
    if started is None or finished is None:
        return "-"
    return span(max(0.0, (finished - started).total_seconds()))


def _seconds(seconds: float) -> str:
    """A configured length of time: ``0.5s``, ``30s``, or as :func:`span` from a minute up."""
    return f"{seconds:g}s" if seconds < 60 else span(seconds)


def _workflow_fields(info: WorkflowInfo, now: datetime) -> list[tuple[str, str]]:
    """The rows of ``workflows show`` for a WorkflowInfo, in display order."""
    rows = [
        ("id", str(info.id)),
        ("name", info.name),
        ("status", info.status),
        ("idempotency key", info.idempotency_key or "-"),
        ("input", to_json(info.input)),
    ]
    if info.status == "SUCCESS" or info.output is not None:
        rows.append(("output", to_json(info.output)))
    if info.error:
        rows.append(("error", error_summary(info.error)))
    rows += [
        ("lease owner", info.lease_owner or "-"),
        ("lease token", str(info.lease_token)),
        ("lease expires", when(info.lease_expires_at, now)),
        ("queued", yes(info.queued)),
    ]
    if info.queued and not info.done:
        rows.append(("available", when(info.available_at, now)))
    rows += [
        ("recoveries", f"{info.recoveries} of {info.max_recoveries}"),
    ]
    if info.max_attempts > 1:
        rows.append(
            (
                "attempt",
                f"{info.attempt} of {info.max_attempts} (retry backoff "
                f"{_seconds(info.retry_backoff)}, at most {_seconds(info.retry_max_backoff)})",
            )
        )
    rows += [
        ("deadline", when(info.deadline_at, now)),
        ("forked from", "-" if info.forked_from is None else str(info.forked_from)),
        ("created", when(info.created_at, now)),
        ("started", when(info.started_at, now)),
        ("updated", when(info.updated_at, now)),
        ("finished", when(info.finished_at, now)),
    ]
    return rows


def _step_value(step: StepInfo) -> str:
    """A SUCCESS step's output, a FAILED step's ``Type: message``, ``-`` for a RUNNING one."""
    if step.status == "SUCCESS":
        return to_json(step.output)
    return error_summary(step.error) if step.error else "-"


def cmd_revive(args: argparse.Namespace) -> int:
    """``pgqrs revive ID``: put a DEAD workflow back in the queue."""

    def run(api: SyncAdmin, now: datetime) -> None:
        api.revive_workflow(args.id)
        info = api.get_workflow(args.id)
        print(
            f"revived workflow {info.id} ({info.name}): queued again with recoveries reset to "
            f"0 of {info.max_recoveries}; a worker serving {info.name!r} resumes it from its "
            "last finished step"
        )

    return _with_admin(args.dsn, run)


def cmd_workflows_cancel(args: argparse.Namespace) -> int:
    """``pgqrs workflows cancel ID``: cancel a workflow that has not finished; exit 0 too when
    it already had (saying so)."""

    def run(api: SyncAdmin, now: datetime) -> None:
        if api.cancel_workflow(args.id, args.reason):
            print(f"cancelled {as_uuid(args.id)}")
            return
        info = api.get_workflow(args.id)
        print(f"{info.id} is already {info.status}: nothing to cancel")

    return _with_admin(args.dsn, run)


def cmd_workflows_resume(args: argparse.Namespace) -> int:
    """``pgqrs workflows resume ID``: queue a FAILED, DEAD or CANCELLED workflow again."""

    def run(api: SyncAdmin, now: datetime) -> None:
        handle = api.resume_workflow(args.id)
        print(f"resumed {handle.id}: queued for a worker")

    return _with_admin(args.dsn, run)


def cmd_workflows_fork(args: argparse.Namespace) -> int:
    """``pgqrs workflows fork ID``: copy a workflow into a new queued one; print its id."""

    def run(api: SyncAdmin, now: datetime) -> None:
        handle = api.fork_workflow(args.id, args.from_step, new_id=args.new_id)
        print(handle.id)

    return _with_admin(args.dsn, run)


def cmd_prune(args: argparse.Namespace) -> int:
    """``pgqrs prune --older-than D``: prune batch after batch until nothing is left."""
    totals = _retention.PruneTotals()
    progress = Progress(sys.stderr)
    try:
        _with_admin(args.dsn, lambda api, now: _prune_all(api, args, totals, progress))
    except PruneBusyError as exc:
        progress.done()
        return _fail(str(exc), 1)
    except KeyboardInterrupt:
        progress.done()
        print(
            f"pgqrs: interrupted: deleted {totals.counts()} in {totals.batches} batches",
            file=sys.stderr,
        )
        return 130
    progress.done()
    if args.json:
        print(json.dumps(totals.as_dict()))
    else:
        print(
            f"deleted {totals.counts()} in {totals.batches} "
            f"batch{'' if totals.batches == 1 else 'es'} ({totals.seconds:.1f}s)"
        )
    return 0


def _prune_all(
    api: SyncAdmin, args: argparse.Namespace, totals: _retention.PruneTotals, progress: Progress
) -> None:
    """Call prune until a batch reports nothing more; wait while another session prunes."""
    busy_since: float | None = None
    while True:
        started = time.monotonic()
        result: PruneResult = api.prune(
            args.older_than, limit=args.batch, include_dead=args.include_dead
        )
        if result.busy:
            now = time.monotonic()
            if busy_since is None:
                busy_since = now
                progress.note("another session is pruning this database; waiting for it")
            if now - busy_since >= args.wait:
                raise PruneBusyError(
                    f"another session kept pruning this database for {args.wait:g}s: try "
                    "again later, or pass a longer --wait"
                )
            time.sleep(min(1.0, max(args.wait - (now - busy_since), 0.01)))
            continue
        busy_since = None
        totals.add(result)
        rate = totals.workflows / totals.seconds if totals.seconds > 0 else 0.0
        progress.line(
            f"batch {totals.batches}: {result.workflows} workflows, {result.messages} "
            f"messages; total {totals.counts()}; {rate:.0f} workflows/s"
        )
        if not result.more:
            return
        if args.pause:
            time.sleep(max(args.pause, time.monotonic() - started))


class Progress:
    """Progress lines on ``stream``: one line per call, or on a terminal one line rewritten in
    place (``\r``)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._open = False

    def line(self, text: str) -> None:
        if self.tty:
            self.stream.write("\r\x1b[2K" + text)
            self._open = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def note(self, text: str) -> None:
        """A line of its own, kept on a terminal too."""
        self.done()
        self.stream.write(text + "\n")
        self.stream.flush()

    def done(self) -> None:
        """End an updating line."""
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False


# --- the dashboard --------------------------------------------------------------------------


def _add_dashboard_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    sub = commands.add_parser(
        "dashboard",
        parents=[common],
        help="serve the web dashboard (pip install 'pgqrs[dashboard]')",
        description=(
            "Serve the pgqrs web dashboard: workflows, their steps and timelines, workers, "
            "queues, live. Read-only unless --allow-actions, which needs --token or "
            "--basic-auth. --dsn needs only the monitoring role of docs/security.md; actions use "
            "--actions-dsn (default: --dsn), which needs EXECUTE on cancel_workflow, "
            "resume_workflow, revive_workflow, fork_workflow and send_message. See "
            "docs/dashboard.md."
        ),
    )
    opt = sub.add_argument
    opt("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    opt("--port", type=int, default=8080, help="port to listen on (default 8080)")
    opt("--actions-dsn", metavar="DSN", help="connection for actions (default: --dsn)")
    opt("--allow-actions", action="store_true", help="allow cancel, resume, revive, fork, send")
    auth = sub.add_mutually_exclusive_group()
    auth.add_argument(
        "--token",
        default=os.environ.get("PGQRS_DASHBOARD_TOKEN"),
        help="shared token every page needs, 16+ characters (default: $PGQRS_DASHBOARD_TOKEN)",
    )
    auth.add_argument(
        "--basic-auth",
        metavar="USER:PASS",
        default=os.environ.get("PGQRS_DASHBOARD_BASIC_AUTH"),
        help="HTTP basic credentials every page needs (default: $PGQRS_DASHBOARD_BASIC_AUTH)",
    )
    opt("--metrics-port", metavar="PORT", type=int, help="serve Prometheus metrics on this port")
    opt(
        "--stale-seconds",
        metavar="S",
        type=_positive_float,
        default=30.0,
        help="a worker is alive when heard from within this (default 30)",
    )
    opt(
        "--log-level",
        metavar="LEVEL",
        type=str.upper,
        choices=LOG_LEVELS,
        default="INFO",
        help="DEBUG, INFO (default), WARNING or ERROR",
    )
    sub.set_defaults(handler=cmd_dashboard)


def cmd_dashboard(args: argparse.Namespace) -> int:
    """``pgqrs dashboard``: serve the web UI until SIGINT or SIGTERM."""
    try:
        from .dashboard import create_app, serve
    except ImportError as exc:
        raise UsageError(
            f"pgqrs dashboard needs its extra: pip install 'pgqrs[dashboard]' ({exc})"
        ) from None
    for option, dsn in (("--dsn", args.dsn), ("--actions-dsn", args.actions_dsn)):
        _check_dsn(option, dsn)
    if args.token and args.basic_auth:
        raise UsageError("pass --token or --basic-auth, not both")
    psycopg.connect(args.dsn, connect_timeout=10).close()  # a wrong DSN fails now, clearly
    try:
        app = create_app(
            args.dsn,
            actions_dsn=args.actions_dsn,
            allow_actions=args.allow_actions,
            token=args.token or None,
            basic_auth=args.basic_auth or None,
            stale_seconds=args.stale_seconds,
        )
    except PgqrsError as exc:
        raise UsageError(str(exc).removeprefix("pgqrs: ")) from None
    setup_logging(args.log_level)
    try:
        asyncio.run(
            serve(
                app,
                host=args.host,
                port=args.port,
                metrics_port=args.metrics_port,
                log_level=args.log_level.lower(),
            )
        )
    except KeyboardInterrupt:
        return 130
    return 0


# --- the worker -----------------------------------------------------------------------------


def cmd_worker(args: argparse.Namespace) -> int:
    """``pgqrs worker MODULE``: run the module's workflows until a signal, then drain."""
    for option, dsn in (("--dsn", args.dsn), ("--listen-dsn", args.listen_dsn)):
        _check_dsn(option, dsn)
    module = import_workflows(args.module)
    setup_logging(args.log_level)
    try:
        asyncio.run(_serve(args, module))
    except KeyboardInterrupt:  # a signal before the worker installed its handlers
        return 130
    return 0


async def _serve(args: argparse.Namespace, module: ModuleType) -> None:
    options: dict[str, Any] = {"prepare_threshold": None} if args.no_prepare else {}
    store = await connect(
        args.dsn,
        runner_id=args.name,
        lease_seconds=args.lease_seconds,
        pool_size=args.pool_size,
        listen_dsn=args.listen_dsn,
        listen=not args.no_listen,
        poll_interval=args.poll_interval,
        retention=args.retention,
        **options,
    )
    try:
        worker = Worker(
            store,
            module,
            name=args.name,
            concurrency=args.concurrency,
            grace_period=args.grace_period,
            metrics_port=args.metrics_port,
        )
        await worker.run(handle_signals=True)
    finally:
        await store.close()


def _check_dsn(option: str, dsn: str | None) -> None:
    """UsageError for a DSN libpq cannot parse, before the worker starts: a malformed listen
    DSN would otherwise only surface when the worker stops."""
    if dsn is None:
        return
    try:
        psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        raise UsageError(f"{option}: {_database_error(exc)}") from None


def import_workflows(name: str) -> ModuleType:
    """Import the module a worker serves, with the current directory on the path (as
    ``python -m`` has it). UsageError when it cannot be found or has no ``@workflow``
    function; an exception raised by the module's own code propagates."""
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.insert(0, cwd)
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing and (name == missing or name.startswith(missing + ".")):
            raise UsageError(
                f"no module named {name!r} (searched the current directory and PYTHONPATH)"
            ) from None
        raise
    if not any(
        isinstance(getattr(v, "__pgqrs_workflow__", None), str) for v in vars(module).values()
    ):
        raise UsageError(f"module {name!r} ({module.__file__}) has no @workflow functions")
    try:
        collect_workflows(module)
    except PgqrsError as exc:  # two functions registered under one name
        raise UsageError(f"module {name!r}: {exc}") from None
    return module


def setup_logging(level: str) -> None:
    """Log to stderr with timestamps, unless the application configured logging itself (for
    example in the imported module); either way the ``pgqrs`` loggers log at ``level``."""
    if not logging.getLogger().handlers:
        logging.basicConfig(stream=sys.stderr, level=level, format=LOG_FORMAT)
    logging.getLogger("pgqrs").setLevel(level)


# --- formatting -----------------------------------------------------------------------------


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A plain-text table: left-aligned columns two spaces apart, a header row and a rule."""
    cells = [[_one_line(str(cell)) for cell in row] for row in rows]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, cells)])


def fields(rows: Sequence[tuple[str, str]]) -> str:
    """``key: value`` lines with the values aligned; a value's further lines are indented to
    its column."""
    width = max(len(key) for key, _ in rows) + 3
    lines = []
    for key, value in rows:
        first, *rest = value.splitlines() or [""]
        lines.append(f"{key + ':':<{width}}{first}")
        lines += [" " * width + line for line in rest]
    return "\n".join(lines)


def indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line for line in text.rstrip("\n").splitlines())


def span(seconds: float) -> str:
    """A duration, coarsely: ``45s``, ``3m12s``, ``2h05m``, ``3d04h``."""
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600:02d}h"


def ago(then: datetime | None, now: datetime) -> str:
    """``3m12s ago`` for a past time, ``in 20s`` for a future one, ``-`` for none."""
    if then is None:
        return "-"
    seconds = (now - then).total_seconds()
    return f"{span(seconds)} ago" if seconds >= 0 else f"in {span(-seconds)}"


def when(then: datetime | None, now: datetime) -> str:
    """An age followed by the UTC time: ``3m12s ago (2025-01-31 12:00:05 UTC)``."""
    if then is None:
        return "-"
    return f"{ago(then, now)} ({then.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC)"


def yes(flag: bool) -> str:
    return "yes" if flag else "no"


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def error_summary(error: dict[str, Any]) -> str:
    """``Type: message`` of a stored error (just the message when it has no type)."""
    kind, message = error.get("type"), error.get("message")
    return f"{kind}: {message}" if kind else str(message)


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, ending with ``...`` when cut."""
    text = _one_line(text)
    return text if len(text) <= width else text[: width - 3] + "..."


def _one_line(text: str) -> str:
    return " ".join(text.splitlines()) if "\n" in text or "\r" in text else text
