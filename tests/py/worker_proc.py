"""A worker process: ``python worker_proc.py DSN NAME [OPTIONS]``.

Runs ``pgqrs.Worker(store, <workflows of worker_flows>, name=NAME, ...)`` with
``await worker.run(handle_signals=True)`` until SIGTERM/SIGINT, logging to stderr. Exits 0 after
a graceful stop.

Options: ``--concurrency N``, ``--lease S`` (lease seconds), ``--grace S`` (grace period),
``--poll S`` (poll interval), ``--listen on|off``, ``--listen-dsn DSN`` (LISTEN there instead
of DSN), ``--no-prepare`` (prepare_threshold=None, for a transaction pooler), ``--serve
NAME[,NAME...]`` (serve only these workflows of worker_flows), ``--effects-dsn DSN`` (where the
steps record their effects; default DSN), ``--retry-timeout S``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import worker_flows

import pgqrs


def served(only: str | None) -> list[Any]:
    every = {
        fn.__pgqrs_workflow__: fn
        for fn in vars(worker_flows).values()
        if isinstance(getattr(fn, "__pgqrs_workflow__", None), str)
    }
    if not only:
        return list(every.values())
    return [every[name] for name in only.split(",")]


async def run(args: argparse.Namespace) -> int:
    worker_flows.configure(args.effects_dsn or args.dsn, args.name)
    store = await pgqrs.connect(
        args.dsn,
        runner_id=args.name,
        lease_seconds=args.lease,
        retry_timeout=args.retry_timeout,
        poll_interval=args.poll,
        listen=args.listen == "on",
        listen_dsn=args.listen_dsn,
        prepare_threshold=None if args.no_prepare else 5,
    )
    async with store:
        worker = pgqrs.Worker(
            store,
            served(args.serve),
            name=args.name,
            concurrency=args.concurrency,
            grace_period=args.grace,
        )
        await worker.run(handle_signals=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("dsn")
    parser.add_argument("name")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--lease", type=float, default=30.0)
    parser.add_argument("--grace", type=float, default=30.0)
    parser.add_argument("--poll", type=float, default=5.0)
    parser.add_argument("--listen", choices=["on", "off"], default="on")
    parser.add_argument("--listen-dsn", default=None)
    parser.add_argument("--no-prepare", action="store_true")
    parser.add_argument("--serve", default=None)
    parser.add_argument("--effects-dsn", default=None)
    parser.add_argument("--retry-timeout", type=float, default=60.0)
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format=f"%(asctime)s {args.name} pid=%(process)d %(name)s %(levelname)s %(message)s",
    )
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
