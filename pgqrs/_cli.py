"""The ``pgqrs`` command line: install the schema, inspect workflows, workers and queues, act on
them (start, send, wait, cancel, resume, fork, revive), set queue limits, manage schedules, prune
old workflows, run a worker, set up and watch a cluster of shards.

``pgqrs --help`` lists the commands. Every command but ``worker`` uses the synchronous client;
``worker`` runs :class:`pgqrs.Worker` in an asyncio loop until SIGTERM or SIGINT.

The database: ``--dsn`` (anywhere on the line), else ``$PGQRS_DSN``, else libpq's own ``PGHOST``,
``PGDATABASE``, ``PGUSER``... variables, as ``psql`` reads them.

Read commands (``status``, ``workers``, ``workflows list|show``, ``queues list``) print tables
that fit the terminal, or JSON with ``--json`` (stable keys, ISO 8601 times, for scripts).

Exit codes: 0 on success (and after a worker's clean drain; also for ``workflows cancel`` of a
workflow that had already finished, which it says); 1 when pgqrs or the database refuses, or
when the workflow waited for (``wait``, ``start --wait``) ended FAILED, DEAD or CANCELLED (one
line on stderr, no traceback); 2 for a usage error; 3 when a wait (``wait``, ``start --wait``,
``event get``) timed out; 130 when interrupted (what ``prune`` deleted by then stays deleted,
and it says how much).

Times are shown as ages against the database server's clock, so a skewed local clock does not
distort them: ``12s ago``, ``3m12s ago``, ``in 20s`` for a time still to come; durations under a
second in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib
import json
import logging
import math
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any
from uuid import UUID

import psycopg

from . import __version__, _cluster, _install, _retention, _sql, admin, connect, connect_sync
from ._admin_sync import SyncAdmin
from ._codec import as_uuid
from ._durations import span
from ._results import (
    PruneResult,
    QueueInfo,
    StepAttempt,
    StepInfo,
    WorkerInfo,
    WorkflowCount,
    WorkflowInfo,
    WorkflowSummary,
    parse_rate,
)
from ._schedules import Schedule
from ._store import resolve_dsn
from ._worker import Worker, collect_workflows
from .errors import PgqrsError, WaitTimeoutError, WorkflowFailedError

STATUSES = ("PENDING", "RUNNING", "SUCCESS", "FAILED", "DEAD", "CANCELLED")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# libpq's variables that name a database to connect to (one is enough for the CLI to try).
LIBPQ_VARIABLES = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE")

# Step values and errors in the steps and attempts tables of ``workflows show`` are cut to this
# many characters.
VALUE_WIDTH = 60

# Exit statuses (see the module docstring).
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_TIMEOUT = 0, 1, 2, 3

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
    handler: Handler = args.handler
    try:
        if args.needs_db(args):
            args.dsn = _dsn(args.dsn)
        return handler(args)
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except WaitTimeoutError as exc:
        return _fail(str(exc), EXIT_TIMEOUT)
    except PgqrsError as exc:
        return _fail(str(exc), EXIT_FAILED)
    except psycopg.Error as exc:
        return _fail(_database_error(exc), EXIT_FAILED)
    except BrokenPipeError:  # ``pgqrs ... | head``: stop quietly, as other tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED


def _dsn(given: str | None) -> str:
    """The database of the command: ``--dsn``, ``$PGQRS_DSN``, or libpq's ``PG*`` variables;
    UsageError when none is set (rather than trying libpq's default socket)."""
    if not (given or os.environ.get("PGQRS_DSN")) and not any(
        os.environ.get(name) for name in LIBPQ_VARIABLES
    ):
        raise UsageError(
            "no database: pass --dsn, set PGQRS_DSN, or set libpq's PGHOST, PGDATABASE,"
            " PGUSER... variables"
        )
    try:
        return resolve_dsn(given or None)
    except PgqrsError as exc:
        raise UsageError(f"--dsn: {exc}") from None


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


def _always(args: argparse.Namespace) -> bool:
    return True


def build_parser() -> argparse.ArgumentParser:
    """The parser of the whole command line; each command sets ``handler``."""
    parser = argparse.ArgumentParser(
        prog="pgqrs",
        description="Durable workflows in PostgreSQL.",
        epilog="exit status: 0 ok, 1 refused or the awaited workflow failed, 2 usage error,"
        " 3 a wait timed out",
    )
    parser.add_argument("--version", action="version", version=f"pgqrs {__version__}")
    parser.add_argument(
        "--dsn",
        default=None,
        help="libpq connection string or URL (default: $PGQRS_DSN, else libpq's PG* variables)",
    )
    parser.set_defaults(needs_db=_always)
    # --dsn is accepted anywhere on the line: ``pgqrs workflows --dsn X list``, ``pgqrs status
    # --dsn X``. SUPPRESS keeps a level that did not see it from overwriting another's.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--dsn",
        default=argparse.SUPPRESS,
        help="libpq connection string or URL (default: $PGQRS_DSN, else libpq's PG* variables)",
    )
    reads = argparse.ArgumentParser(add_help=False, parents=[common])
    reads.add_argument("--json", action="store_true", help="print JSON instead of a table")

    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_install_parser(commands, common)
    sub = commands.add_parser(
        "version", parents=[common], help="print the version of the installed pgqrs SQL"
    )
    sub.set_defaults(handler=cmd_version)
    _add_worker_parser(commands, common)
    sub = commands.add_parser(
        "status",
        parents=[reads],
        help="workflow counts by name and status, the workers and the queues",
    )
    sub.set_defaults(handler=cmd_status)
    _add_schedules_parser(commands, common, reads)
    sub = commands.add_parser("workers", parents=[reads], help="the registered workers")
    sub.set_defaults(handler=cmd_workers)
    _add_workflows_parser(commands, common, reads)
    sub = commands.add_parser(
        "revive", parents=[common], help="put a DEAD workflow back in the queue"
    )
    sub.add_argument("id", help="workflow id")
    sub.set_defaults(handler=cmd_revive)
    _add_prune_parser(commands, common)
    _add_action_parsers(commands, common)
    _add_queues_parser(commands, common, reads)
    _add_cluster_parser(commands)
    _add_dashboard_parser(commands, common)
    sub = commands.add_parser(
        "completion",
        help='print a shell completion script: eval "$(pgqrs completion bash)"',
        description="Print a completion script for bash or zsh. Load it with "
        '`eval "$(pgqrs completion bash)"` in ~/.bashrc (zsh: ~/.zshrc).',
    )
    sub.add_argument("shell", choices=("bash", "zsh"))
    sub.set_defaults(handler=cmd_completion, needs_db=lambda args: False)
    return parser


def _add_install_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    sub = commands.add_parser(
        "install",
        parents=[common],
        help="install or upgrade the pgqrs schema (idempotent), or print its SQL for a DBA",
        description="Install or upgrade the pgqrs schema in one transaction under an advisory "
        "lock (safe from many processes; nothing to do when it is current). A DBA who runs "
        "the SQL by hand gets it from --print-sql (no database needed): "
        f"`pgqrs install --print-sql | {_install.PSQL} -d DB`.",
    )
    sub.add_argument(
        "--print-sql",
        action="store_true",
        help="print the install script of the newest version (or the upgrade from --from) "
        "instead of installing",
    )
    sub.add_argument(
        "--from",
        dest="from_version",
        metavar="VERSION",
        help="with --print-sql: print the upgrade from this installed version",
    )
    sub.add_argument(
        "--extension-files",
        metavar="DIR",
        help="copy pgqrs.control and the scripts into DIR, a server's extension directory "
        "(`pg_config --sharedir`/extension), for CREATE EXTENSION pgqrs",
    )
    sub.set_defaults(
        handler=cmd_install,
        needs_db=lambda args: not (args.print_sql or args.extension_files),
    )


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


def _add_workflows_parser(
    commands: Any, common: argparse.ArgumentParser, reads: argparse.ArgumentParser
) -> None:
    group = commands.add_parser(
        "workflows",
        parents=[common],
        help="list workflows, show one, or cancel, resume or fork one",
    )
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    sub = actions.add_parser("list", parents=[reads], help="the newest workflows")
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
        "show", parents=[reads], help="one workflow, its steps and every attempt of each"
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


def _add_cluster_parser(commands: Any) -> None:
    group = commands.add_parser(
        "cluster",
        help="a cluster of shards behind a PL/Proxy proxy: set it up, see its shards",
        description="One pgqrs API over many PostgreSQL databases: docs/scale-out.md.",
    )
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    proxy = argparse.ArgumentParser(add_help=False)
    proxy.add_argument(
        "--proxy",
        "--dsn",
        dest="dsn",
        metavar="DSN",
        default=argparse.SUPPRESS,
        help="the proxy database (default: $PGQRS_DSN)",
    )
    sub = actions.add_parser(
        "init",
        parents=[proxy],
        help="install pgqrs on each shard and the routing functions on the proxy",
        description=(
            "Install (or upgrade) pgqrs on each shard and give it its number (the order of "
            "--shard) and the cluster's notification key; install PL/Proxy and the proxy's "
            "functions on the proxy and record the shards there. Run again with the same "
            "shards first and new ones after them, it adds the new ones; no workflow moves. "
            "The proxy reaches every shard with the login of the first --shard DSN. Needs a "
            "superuser on the proxy (PL/Proxy is an untrusted language)."
        ),
    )
    sub.add_argument(
        "--shard",
        metavar="DSN",
        action="append",
        required=True,
        help="a shard database, in order (repeat the option)",
    )
    sub.set_defaults(handler=cmd_cluster_init)
    sub = actions.add_parser(
        "status", parents=[proxy], help="each shard's health and load, as the proxy sees it"
    )
    sub.set_defaults(handler=cmd_cluster_status)


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


def _add_action_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    sub = commands.add_parser(
        "start",
        parents=[common],
        help="start a workflow for workers; print its id (or its result with --wait)",
        description="Enqueue workflow NAME for workers and print its id. Its arguments: "
        "--input JSON (its one argument), or --args JSON (an array) and --kwargs JSON (an "
        "object). With --wait, wait for it and print its result as JSON (exit 1 if it fails, "
        "3 if --wait-timeout passes first).",
    )
    sub.add_argument("name", metavar="NAME", help="the workflow's name")
    given = sub.add_mutually_exclusive_group()
    given.add_argument("--input", metavar="JSON", help="its one argument, as JSON")
    given.add_argument("--args", metavar="JSON", help="its positional arguments, a JSON array")
    sub.add_argument("--kwargs", metavar="JSON", help="its keyword arguments, a JSON object")
    sub.add_argument("--queue", metavar="QUEUE", help="the queue to wait in (default: default)")
    sub.add_argument("--priority", metavar="N", type=int, help="-1000..1000, higher first")
    sub.add_argument("--concurrency-key", metavar="KEY", help="limited and served per key")
    sub.add_argument(
        "--idempotency-key", metavar="KEY", help="starting again returns the same workflow"
    )
    sub.add_argument("--run-at", metavar="TIME", type=_timestamp, help="not before this time")
    sub.add_argument(
        "--timeout", metavar="S", type=_positive_float, help="cancel it if not done in S seconds"
    )
    sub.add_argument("--wait", action="store_true", help="wait for it; print its result")
    sub.add_argument(
        "--wait-timeout", metavar="S", type=_positive_float, help="with --wait: at most S seconds"
    )
    sub.set_defaults(handler=cmd_start)

    sub = commands.add_parser(
        "wait",
        parents=[common],
        help="wait for a workflow and print its result as JSON",
        description="Wait until workflow ID has finished and print its output as JSON. Exit 1 "
        "when it ended FAILED, DEAD or CANCELLED (its error on stderr), 3 when --timeout "
        "passes first (saying why it has not finished).",
    )
    sub.add_argument("id", help="workflow id")
    sub.add_argument("--timeout", metavar="S", type=_positive_float, help="at most S seconds")
    sub.set_defaults(handler=cmd_wait)

    sub = commands.add_parser(
        "send",
        parents=[common],
        help="send a message to a workflow; print the message id",
        description="Send MESSAGE (JSON; null when left out) to workflow ID under TOPIC; the "
        "workflow receives it with ctx.recv(TOPIC). With --idempotency-key, sending again "
        "delivers nothing twice.",
    )
    sub.add_argument("id", help="workflow id")
    sub.add_argument("topic", metavar="TOPIC")
    sub.add_argument("message", metavar="MESSAGE", nargs="?", default="null", help="JSON")
    sub.add_argument("--idempotency-key", metavar="KEY")
    sub.set_defaults(handler=cmd_send)

    group = commands.add_parser("event", parents=[common], help="read a workflow's events")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    sub = actions.add_parser(
        "get",
        parents=[common],
        help="print the value of a workflow's event as JSON",
        description="Print the value workflow ID published under event KEY (ctx.set_event) "
        "as JSON; with --timeout, wait up to S seconds for it to be set (exit 3 if it is not). "
        "Without --timeout an event that is not set is an error (exit 1).",
    )
    sub.add_argument("id", help="workflow id")
    sub.add_argument("key", metavar="KEY")
    sub.add_argument("--timeout", metavar="S", type=_non_negative_float, default=0.0)
    sub.set_defaults(handler=cmd_event_get)


def _add_queues_parser(
    commands: Any, common: argparse.ArgumentParser, reads: argparse.ArgumentParser
) -> None:
    group = commands.add_parser(
        "queues",
        parents=[common],
        help="list queues, set their limits, pause or resume them",
        description="Queues hold workflows for workers, with limits decided in SQL at claim "
        "time (docs/queues.md).",
    )
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    sub = actions.add_parser("list", parents=[reads], help="queues, their limits and load")
    sub.set_defaults(handler=cmd_queues_list)
    sub = actions.add_parser(
        "set",
        parents=[common],
        help="create a queue or change its limits (at run time)",
        description="Create queue NAME or change its limits; a limit left out stays as it is, "
        "'none' removes it. Example: pgqrs queues set payments --concurrency 4 --rate 100/60s",
    )
    sub.add_argument("name", metavar="NAME")
    # Left out: unchanged (SUPPRESS: no attribute at all); "none": removed.
    for option, kind, text in (
        ("--concurrency", _limit, "at most N running, across all workers"),
        ("--worker-concurrency", _limit, "at most N running per worker"),
        ("--rate", _rate, "at most N starts per period: 100/60s, 100/m, 5/1h"),
        ("--key-concurrency", _limit, "at most N running per concurrency key"),
    ):
        metavar = "N/PERIOD" if option == "--rate" else "N"
        sub.add_argument(
            option, metavar=metavar, type=kind, default=argparse.SUPPRESS, help=text + "; none"
        )
    paused = sub.add_mutually_exclusive_group()
    paused.add_argument("--paused", dest="paused", action="store_true", default=argparse.SUPPRESS)
    paused.add_argument(
        "--no-paused", dest="paused", action="store_false", default=argparse.SUPPRESS
    )
    sub.set_defaults(handler=cmd_queues_set)
    for name, text, handler in (
        ("pause", "pause a queue: it hands out nothing until resumed", cmd_queues_pause),
        ("resume", "resume a paused queue", cmd_queues_resume),
        ("delete", "remove a queue's limits (its workflows stay)", cmd_queues_delete),
    ):
        sub = actions.add_parser(name, parents=[common], help=text)
        sub.add_argument("name", metavar="NAME")
        sub.set_defaults(handler=handler)


NONE = "none"


def _limit(text: str) -> int | None:
    return None if text.lower() == NONE else _positive_int(text)


def _rate(text: str) -> str | None:
    if text.lower() == NONE:
        return None
    try:
        parse_rate(text)
    except PgqrsError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _timestamp(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    return value if value.tzinfo is not None else value.astimezone()


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{what} is not valid JSON: {exc}") from None


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
    """Open a store on ``dsn`` (a wrong one fails at once, with libpq's message), call
    ``run(admin, server_now)`` and return exit status 0."""
    with connect_sync(dsn) as store:
        now: datetime = store.call(_sql.SERVER_NOW, check=False)[0][0]
        run(admin(store), now)
    return EXIT_OK


def cmd_install(args: argparse.Namespace) -> int:
    """``pgqrs install``: install or upgrade the schema, or print its SQL, or copy the
    extension files."""
    scripts = _install.Scripts.load()
    if args.from_version and not args.print_sql:
        raise UsageError("--from goes with --print-sql")
    if args.print_sql:
        sql = scripts.sql(args.from_version)
        if not sql:
            print(f"-- pgqrs {scripts.latest} is current: nothing to run", file=sys.stderr)
        sys.stdout.write(sql)
        return EXIT_OK
    if args.extension_files:
        target = os.path.abspath(args.extension_files)
        if not os.path.isdir(target):
            raise UsageError(f"--extension-files: {target} is not a directory")
        for path in scripts.extension_files():
            shutil.copyfile(path, os.path.join(target, path.name))
            print(f"copied {path.name} to {target}")
        return EXIT_OK

    def run(api: SyncAdmin, now: datetime) -> None:
        applied = api.install()
        print("applied " + ", ".join(applied) if applied else "pgqrs is up to date")

    return _with_admin(args.dsn, run)


def cmd_version(args: argparse.Namespace) -> int:
    """``pgqrs version``: the version of the installed SQL."""
    return _with_admin(args.dsn, lambda api, now: print(api.version()))


def cmd_status(args: argparse.Namespace) -> int:
    """``pgqrs status``: workflow counts by name and status, then the workers and queues."""

    def run(api: SyncAdmin, now: datetime) -> None:
        counts, workers, queues = api.workflow_counts(), api.list_workers(), api.list_queues()
        if args.json:
            emit({"workflows": counts, "workers": workers, "queues": queues})
            return
        print(_counts_table(counts, now) if counts else "no workflows")
        print()
        print(_workers_table(workers, now) if workers else "no workers registered")
        if queues:
            print()
            print(_queues_table(queues))

    return _with_admin(args.dsn, run)


def _counts_table(counts: Sequence[WorkflowCount], now: datetime) -> str:
    return table(
        ("name", "status", "count", "oldest", "served"),
        [(c.name, c.status, c.count, ago(c.oldest, now), yes(c.served)) for c in counts],
        flexible=("name",),
    )


def _workers_table(workers: Sequence[WorkerInfo], now: datetime) -> str:
    return table(
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
        flexible=("serves", "host", "name"),
    )


def _queues_table(queues: Sequence[QueueInfo]) -> str:
    def limit(value: int | None) -> object:
        return "-" if value is None else value

    return table(
        (
            "queue", "paused", "concurrency", "per worker", "rate", "per key", "queued",
            "running", "permits free", "keys",
        ),
        [
            (
                q.name,
                yes(q.paused),
                limit(q.concurrency),
                limit(q.worker_concurrency),
                q.rate or "-",
                limit(q.key_concurrency),
                q.queued,
                q.running,
                limit(q.permits_free),
                q.keys,
            )
            for q in queues
        ],
        flexible=("queue",),
    )  # fmt: skip


def cmd_workers(args: argparse.Namespace) -> int:
    """``pgqrs workers``: the registered workers."""

    def run(api: SyncAdmin, now: datetime) -> None:
        workers = api.list_workers()
        if args.json:
            emit(workers)
        else:
            print(_workers_table(workers, now) if workers else "no workers registered")

    return _with_admin(args.dsn, run)


def cmd_workflows_list(args: argparse.Namespace) -> int:
    """``pgqrs workflows list``: the newest workflows, optionally filtered."""

    def run(api: SyncAdmin, now: datetime) -> None:
        found = api.list_workflows(status=args.status, name=args.name, limit=args.limit)
        if args.json:
            emit(found)
        else:
            print(_workflows_table(found, now) if found else "no workflows")

    return _with_admin(args.dsn, run)


def _workflows_table(found: Sequence[WorkflowSummary], now: datetime) -> str:
    return table(
        (
            "id", "name", "status", "queue", "owner", "recoveries", "created", "finished",
            "available", "held by",
        ),
        [
            (
                w.id,
                w.name,
                w.status,
                w.queue,
                w.lease_owner or "-",
                w.recoveries,
                ago(w.created_at, now),
                ago(w.finished_at, now),
                ago(w.available_at, now) if w.queued and w.finished_at is None else "-",
                w.held_by or "-",
            )
            for w in found
        ],
        flexible=("held by", "name", "owner", "queue"),
    )  # fmt: skip


def cmd_workflows_show(args: argparse.Namespace) -> int:
    """``pgqrs workflows show ID``: one workflow's fields and traceback, its steps, then every
    attempt of every step."""

    def run(api: SyncAdmin, now: datetime) -> None:
        info = api.get_workflow(args.id)
        steps = api.list_steps(info.id)
        attempts = api.list_step_attempts(info.id)
        if args.json:
            emit({"workflow": info, "steps": steps, "attempts": attempts})
            return
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
        ("key", "status", "attempt", "started", "took", "output / error"),
        [
            (
                s.key,
                s.status,
                s.attempt,
                ago(s.started_at, now),
                _took(s.started_at, s.finished_at),
                clip(_step_value(s), VALUE_WIDTH),
            )
            for s in steps
        ],
        flexible=("output / error", "key"),
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
        flexible=("error", "key", "owner"),
    )


def _took(started: datetime | None, finished: datetime | None) -> str:
    """How long an attempt ran, ``-`` while it runs (or when a time is missing)."""
    if started is None or finished is None:
        return "-"
    return duration(max(0.0, (finished - started).total_seconds()))


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


# --- schedules (docs/schedules.md) ---------------------------------------------------------


def _add_schedules_parser(
    commands: Any, common: argparse.ArgumentParser, reads: argparse.ArgumentParser
) -> None:
    group = commands.add_parser(
        "schedules", help="list, set, pause, resume or delete cron schedules"
    )
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    sub = actions.add_parser(
        "list", parents=[reads], help="every schedule, its next tick and the last one fired"
    )
    sub.set_defaults(handler=cmd_schedules_list)
    sub = actions.add_parser(
        "set",
        parents=[common],
        help="create or replace a schedule",
        description=(
            "Create or replace schedule NAME: WORKFLOW is started at every tick of CRON (five "
            "fields, quoted: '*/5 * * * *', or a macro such as @daily) in --timezone, once per "
            "tick, by the claims of running workers. Setting the same again changes nothing; a "
            "new CRON or time zone moves the next tick to the first one after now. Prints the "
            "schedule. A worker serving a @workflow(schedule=...) function sets its schedule "
            "again when it starts."
        ),
    )
    sub.add_argument("name", metavar="NAME", help="schedule name")
    sub.add_argument("workflow", metavar="WORKFLOW", help="name of the workflow to start")
    sub.add_argument("cron", metavar="CRON", help="cron expression, e.g. '0 3 * * *'")
    opt = sub.add_argument
    opt("--timezone", metavar="TZ", default="UTC", help="IANA time zone (default UTC)")
    opt(
        "--input",
        metavar="JSON",
        type=_json_value,
        default=None,
        help="the schedule's input, in each tick's workflow input (default null)",
    )
    opt(
        "--missed",
        choices=("skip", "catch_up"),
        default=None,
        help="ticks missed while no worker ran: skip (fire the latest only; default) or "
        "catch_up (fire up to --catch-up-limit of them, oldest first)",
    )
    opt(
        "--catch-up-limit",
        metavar="N",
        type=_positive_int,
        default=None,
        help="with --missed catch_up: at most this many missed ticks (default 10)",
    )
    opt("--queue", metavar="QUEUE", help="queue of each tick's workflow")
    opt("--priority", metavar="N", type=int, help="priority of each tick's workflow")
    state = sub.add_mutually_exclusive_group()
    state.add_argument(
        "--paused", dest="paused", action="store_const", const=True, help="set it paused"
    )
    state.add_argument(
        "--running",
        dest="paused",
        action="store_const",
        const=False,
        help="set it running (resumes a paused one); without either, it keeps its state",
    )
    sub.set_defaults(handler=cmd_schedules_set)
    for action, helptext, handler in (
        ("pause", "pause a schedule: it fires nothing until resumed", cmd_schedules_pause),
        ("resume", "resume a paused schedule from its next tick after now", cmd_schedules_resume),
        ("delete", "delete a schedule (the workflows it started stay)", cmd_schedules_delete),
    ):
        sub = actions.add_parser(action, parents=[common], help=helptext)
        sub.add_argument("name", metavar="NAME", help="schedule name")
        sub.set_defaults(handler=handler)


def _json_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not JSON: {exc}") from None


def cmd_schedules_list(args: argparse.Namespace) -> int:
    """``pgqrs schedules list``: every schedule, its next tick and its last."""

    def run(api: SyncAdmin, now: datetime) -> None:
        found = api.list_schedules()
        if args.json:
            emit(found)
            return
        if not found:
            print("no schedules")
            return
        print(
            table(
                ("name", "workflow", "cron", "timezone", "state", "next", "last", "last status"),
                [
                    (
                        s.name,
                        s.workflow,
                        s.cron,
                        s.timezone,
                        "paused" if s.paused else "running",
                        "-" if s.paused else ago(s.next_run_at, now),
                        ago(s.last_run_at, now),
                        s.last_status or ("error: " + s.last_error if s.last_error else "-"),
                    )
                    for s in found
                ],
            )
        )

    return _with_admin(args.dsn, run)


def cmd_schedules_set(args: argparse.Namespace) -> int:
    """``pgqrs schedules set NAME WORKFLOW CRON``: create or replace a schedule; print it."""

    def run(api: SyncAdmin, now: datetime) -> None:
        made = api.set_schedule(
            args.name,
            args.workflow,
            args.cron,
            timezone=args.timezone,
            input=args.input,
            missed=args.missed,
            catch_up_limit=args.catch_up_limit,
            paused=args.paused,
            queue=args.queue,
            priority=args.priority,
        )
        print(fields(_schedule_fields(made, now)))

    return _with_admin(args.dsn, run)


def _schedule_fields(found: Schedule, now: datetime) -> list[tuple[str, str]]:
    missed: str = found.missed
    if found.missed == "catch_up":
        missed += f" (at most {found.catch_up_limit} ticks)"
    return [
        ("name", found.name),
        ("workflow", found.workflow),
        ("cron", f"{found.cron} ({found.timezone})"),
        ("input", to_json(found.input)),
        ("options", to_json(found.options)),
        ("missed ticks", missed),
        ("state", "paused" if found.paused else "running"),
        ("next tick", "-" if found.paused else when(found.next_run_at, now)),
        ("last tick", when(found.last_run_at, now)),
    ]


def cmd_schedules_pause(args: argparse.Namespace) -> int:
    """``pgqrs schedules pause NAME``; exit 1 when there is no such schedule."""
    return _schedule_command(args, "pause")


def cmd_schedules_resume(args: argparse.Namespace) -> int:
    """``pgqrs schedules resume NAME``; exit 1 when there is no such schedule."""
    return _schedule_command(args, "resume")


def cmd_schedules_delete(args: argparse.Namespace) -> int:
    """``pgqrs schedules delete NAME``; exit 0 too when there was none (saying so), so that
    scripts can delete idempotently."""
    return _schedule_command(args, "delete")


def _schedule_command(args: argparse.Namespace, action: str) -> int:
    found = True

    def run(api: SyncAdmin, now: datetime) -> None:
        nonlocal found
        act = {
            "pause": api.pause_schedule,
            "resume": api.resume_schedule,
            "delete": api.delete_schedule,
        }[action]
        found = act(args.name)
        if found:
            print(f"{action}d {args.name}")  # paused, resumed, deleted
        elif action == "delete":
            print(f"no schedule named {args.name!r}: nothing to delete")

    status = _with_admin(args.dsn, run)
    if not found and action != "delete":
        return _fail(f"no schedule named {args.name!r}", 1)
    return status


# --- acting on workflows --------------------------------------------------------------------


def cmd_start(args: argparse.Namespace) -> int:
    """``pgqrs start NAME``: enqueue a workflow; print its id, or its result with --wait."""
    positional: list[Any] = []
    keywords: dict[str, Any] = {}
    if args.input is not None:
        positional = [_json(args.input, "--input")]
    if args.args is not None:
        positional = _json(args.args, "--args")
        if not isinstance(positional, list):
            raise UsageError("--args must be a JSON array")
    if args.kwargs is not None:
        keywords = _json(args.kwargs, "--kwargs")
        if not isinstance(keywords, dict):
            raise UsageError("--kwargs must be a JSON object")
    if args.wait_timeout is not None and not args.wait:
        raise UsageError("--wait-timeout goes with --wait")
    status = EXIT_OK

    def run(api: SyncAdmin, now: datetime) -> None:
        nonlocal status
        starter = api.with_options(
            queue=args.queue,
            priority=args.priority,
            concurrency_key=args.concurrency_key,
            idempotency_key=args.idempotency_key,
            run_at=args.run_at,
            timeout=args.timeout,
        )
        handle = starter.start_workflow(args.name, *positional, **keywords)
        if not args.wait:
            print(handle.id)
            return
        print(f"started {handle.id}", file=sys.stderr)
        status = _print_result(handle.result, args.wait_timeout)

    _with_admin(args.dsn, run)
    return status


def _print_result(result: Callable[[float | None], Any], timeout: float | None) -> int:
    """Print a workflow's result as JSON (exit 0), or its failure on stderr (exit 1); a
    timeout raises WaitTimeoutError (exit 3)."""
    try:
        value = result(timeout)
    except WorkflowFailedError as exc:
        return _fail(str(exc), EXIT_FAILED)
    except PgqrsError as exc:
        if isinstance(exc, WaitTimeoutError):
            raise
        return _fail(str(exc), EXIT_FAILED)
    print(to_json(value))
    return EXIT_OK


def cmd_wait(args: argparse.Namespace) -> int:
    """``pgqrs wait ID``: wait for a workflow and print its result."""
    status = EXIT_OK

    def run(api: SyncAdmin, now: datetime) -> None:
        nonlocal status
        api.get_workflow(args.id)  # an unknown id is an error now, not a wait
        status = _print_result(api.handle(args.id).result, args.timeout)

    _with_admin(args.dsn, run)
    return status


def cmd_send(args: argparse.Namespace) -> int:
    """``pgqrs send ID TOPIC [MESSAGE]``: send a message; print its id."""
    message = _json(args.message, "MESSAGE")

    def run(api: SyncAdmin, now: datetime) -> None:
        print(api.send(args.id, args.topic, message, idempotency_key=args.idempotency_key))

    return _with_admin(args.dsn, run)


def cmd_event_get(args: argparse.Namespace) -> int:
    """``pgqrs event get ID KEY``: print an event's value as JSON."""

    def run(api: SyncAdmin, now: datetime) -> None:
        api.get_workflow(args.id)  # an unknown id is an error now, not a wait
        try:
            value = api.get_event(args.id, args.key, timeout=args.timeout)
        except WaitTimeoutError:
            if args.timeout:
                raise
            raise PgqrsError(f"workflow {as_uuid(args.id)} has no event {args.key!r}") from None
        print(to_json(value))

    return _with_admin(args.dsn, run)


# --- queues ---------------------------------------------------------------------------------


def cmd_queues_list(args: argparse.Namespace) -> int:
    """``pgqrs queues list``: every queue with limits or work."""

    def run(api: SyncAdmin, now: datetime) -> None:
        queues = api.list_queues()
        if args.json:
            emit(queues)
        else:
            print(_queues_table(queues) if queues else "no queues")

    return _with_admin(args.dsn, run)


def cmd_queues_set(args: argparse.Namespace) -> int:
    """``pgqrs queues set NAME ...``: create a queue or change its limits."""
    settings = ("concurrency", "worker_concurrency", "rate", "key_concurrency", "paused")
    return _set_queue(args, {key: getattr(args, key) for key in settings if hasattr(args, key)})


def _set_queue(args: argparse.Namespace, given: dict[str, Any]) -> int:
    def run(api: SyncAdmin, now: datetime) -> None:
        q = api.set_queue(args.name, **given)

        def limit(value: int | None) -> str:
            return "none" if value is None else str(value)

        print(
            f"queue {q.name}: concurrency {limit(q.concurrency)}, per worker"
            f" {limit(q.worker_concurrency)}, rate {q.rate or 'none'}, per key"
            f" {limit(q.key_concurrency)}{', paused' if q.paused else ''}"
        )

    return _with_admin(args.dsn, run)


def cmd_queues_pause(args: argparse.Namespace) -> int:
    """``pgqrs queues pause NAME``."""
    return _set_queue(args, {"paused": True})


def cmd_queues_resume(args: argparse.Namespace) -> int:
    """``pgqrs queues resume NAME``."""
    return _set_queue(args, {"paused": False})


def cmd_queues_delete(args: argparse.Namespace) -> int:
    """``pgqrs queues delete NAME``: remove a queue's limits."""

    def run(api: SyncAdmin, now: datetime) -> None:
        deleted = api.delete_queue(args.name)
        print(f"deleted queue {args.name}" if deleted else f"queue {args.name} has no settings")

    return _with_admin(args.dsn, run)


# --- shell completion -----------------------------------------------------------------------


def cmd_completion(args: argparse.Namespace) -> int:
    """``pgqrs completion bash|zsh``: print a completion script."""
    script = completion_script(build_parser())
    if args.shell == "zsh":
        script = "autoload -U +X bashcompinit && bashcompinit\n" + script
    sys.stdout.write(script)
    return EXIT_OK


def _commands(
    parser: argparse.ArgumentParser, path: str = ""
) -> dict[str, tuple[list[str], list[str]]]:
    """``{"workflows list": (subcommands, options), ...}`` for every level of the parser."""
    subs: list[str] = []
    options: list[str] = []
    found: dict[str, tuple[list[str], list[str]]] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                subs.append(name)
                found.update(_commands(child, f"{path} {name}".strip()))
        else:
            options += [o for o in action.option_strings if o.startswith("--")]
    found[path] = (subs, options)
    return found


def completion_script(parser: argparse.ArgumentParser) -> str:
    """A bash completion function for every command and option of ``parser``."""
    levels = _commands(parser)
    cases = []
    for path, (subs, options) in sorted(levels.items()):
        words = " ".join(subs + sorted(set(options)))
        cases.append(f'        "{path}") words="{words}"; subs="{" ".join(subs)}" ;;')
    body = "\n".join(cases)
    return f"""# pgqrs shell completion (pgqrs completion bash)
_pgqrs() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" path="" words subs i w
    for ((i = 1; i < COMP_CWORD; i++)); do
        w="${{COMP_WORDS[i]}}"
        case "$path" in
{body}
            *) subs="" ;;
        esac
        [[ " $subs " == *" $w "* ]] && path="${{path:+$path }}$w"
    done
    case "$path" in
{body}
        *) words="" ;;
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}}
complete -o default -F _pgqrs pgqrs
"""


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


def cmd_cluster_init(args: argparse.Namespace) -> int:
    """``pgqrs cluster init``: set up or grow a cluster (pgqrs._cluster.init_cluster)."""
    shards = _cluster.init_cluster(args.dsn, args.shard, say=print)
    print(f"cluster of {len(shards)} shards ready; connect clients to the proxy")
    return 0


def cmd_cluster_status(args: argparse.Namespace) -> int:
    """``pgqrs cluster status``: one line per shard; exit 1 when one is down or wrong."""
    shards = _cluster.cluster_status(args.dsn)
    if not shards:
        print("the proxy has no shards: run pgqrs cluster init")
        return 1
    rows = []
    for s in shards:
        counts = s.counts
        rows.append(
            (
                s.shard,
                "up" if s.up else "DOWN",
                "-" if s.milliseconds is None else f"{s.milliseconds:.1f}",
                counts.get("PENDING", 0),
                counts.get("RUNNING", 0),
                sum(counts.values()),
                s.workers_alive,
                yes(s.accepting),
                clip(s.error or s.problem or s.dsn, 70),
            )
        )
    print(
        table(
            ("shard", "state", "ms", "pending", "running", "total", "workers", "new work", "note"),
            rows,
        )
    )
    return 0 if all(s.up and s.problem is None for s in shards) else 1


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


def terminal_width() -> int | None:
    """The terminal's width (``$COLUMNS`` overrides it) when printing to one; None for a pipe
    or a file, whose lines are never cut."""
    try:
        interactive = sys.stdout.isatty()
    except ValueError:  # a closed stream
        interactive = False
    return shutil.get_terminal_size().columns if interactive else None


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    flexible: Sequence[str] = (),
    width: int | None = None,
) -> str:
    """A plain-text table: left-aligned columns two spaces apart, a header row and a rule.

    When a line would be wider than ``width`` (default: :func:`terminal_width`), the
    ``flexible`` columns, in that order of preference, are cut (ending with ``...``) to fit,
    down to the width of their header."""
    cells = [[_one_line(str(cell)) for cell in row] for row in rows]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    limit = terminal_width() if width is None else width
    if limit:
        for name in flexible:
            i = list(headers).index(name)
            excess = sum(widths) + 2 * (len(widths) - 1) - limit
            if excess <= 0:
                break
            widths[i] = min(widths[i], max(len(headers[i]), 8, widths[i] - excess))
        cells = [[clip(c, w) for c, w in zip(row, widths, strict=True)] for row in cells]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, cells)])


def emit(value: Any) -> None:
    """Print ``value`` (dataclasses, lists and dicts of them) as JSON: times in ISO 8601, ids
    as text."""
    print(json.dumps(_plain(value), indent=2, ensure_ascii=False))


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def duration(seconds: float) -> str:
    """A length of time: ``0ms``, ``850ms``, ``2.5s``, ``45s``, then as :func:`span`."""
    if seconds < 1:
        return f"{math.floor(seconds * 1000)}ms"
    if seconds < 10:
        return f"{math.floor(seconds * 10) / 10:g}s"
    return span(seconds)


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
