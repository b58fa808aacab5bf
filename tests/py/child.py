"""A separate process that runs one workflow: ``python child.py DSN WORKFLOW_ID MODE [OPTIONS]``.

Modes: ``async`` and ``sync`` run flows.pipeline / flows.pipeline_sync, ``chain`` runs
flows.chain, to completion.
Options: ``--runner ID`` (lease owner), ``--gate NAME`` (hold the transform step at a gate),
``--n N``, ``--fake-now TS`` (run with pgqrs.fake_now set on every connection).
Exit codes: 0 success (prints the JSON result), 3 WorkflowBusyError, 4 LeaseLostError.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import flows
from helpers import with_fake_now

import pgqrs


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("dsn")
    parser.add_argument("workflow_id")
    parser.add_argument("mode", choices=["async", "sync", "chain"])
    parser.add_argument("--runner", default=None)
    parser.add_argument("--gate", default=None)
    parser.add_argument("--n", type=int, default=4)
    parser.add_argument("--fake-now", default=None)
    parser.add_argument("--lease", type=float, default=30.0)
    args = parser.parse_args()
    flows.DSN["dsn"] = args.dsn
    if args.gate:
        flows.GATE["name"] = args.gate
    dsn = args.dsn
    if args.fake_now:
        dsn = with_fake_now(dsn, datetime.fromisoformat(args.fake_now))
    try:
        result = run_sync(dsn, args) if args.mode == "sync" else asyncio.run(run_async(dsn, args))
    except pgqrs.WorkflowBusyError as exc:
        print(f"busy: {exc}", flush=True)
        return 3
    except pgqrs.LeaseLostError as exc:
        print(f"lease lost: {exc}", flush=True)
        return 4
    print(json.dumps(result), flush=True)
    return 0


async def run_async(dsn: str, args: argparse.Namespace) -> object:
    async with await pgqrs.connect(dsn, runner_id=args.runner, lease_seconds=args.lease) as store:
        ctx = await pgqrs.admin(store).workflow(args.workflow_id)
        if args.mode == "chain":
            return await flows.chain(ctx, args.n)
        return await flows.pipeline(ctx, args.n)


def run_sync(dsn: str, args: argparse.Namespace) -> object:
    with pgqrs.connect_sync(dsn, runner_id=args.runner, lease_seconds=args.lease) as store:
        ctx = pgqrs.admin(store).workflow(args.workflow_id)
        return flows.pipeline_sync(ctx, args.n)


if __name__ == "__main__":
    raise SystemExit(main())
