"""A benchmark worker process, driven by bench/run.py through stdin and stdout.

    BENCH_WORKER_DSN=... python bench/worker.py NAME WORKFLOW --concurrency C --pool-size P

Connects a store and builds ``pgqrs.Worker(store, [workflow], concurrency=C)``, prints
``ready``, then waits for a line on stdin: ``go`` starts ``worker.run()``; the next line (or end
of input) stops it with a graceful drain, after which it prints how many step bodies it ran and
the CPU seconds it used since ``go``. ``WORKFLOW`` is ``pickup_wf`` or the name of a fresh
one-step workflow (see flows.py). Logging stays at Python's default (warnings only), so the
worker does not format a log line per workflow as the ``pgqrs worker`` command does at INFO.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import flows

import pgqrs


async def serve(args: argparse.Namespace) -> int:
    wf = flows.pickup_wf if args.workflow == "pickup_wf" else flows.one_step_workflow(args.workflow)
    dsn = os.environ["BENCH_WORKER_DSN"]  # not in argv: it may hold a password
    store = await pgqrs.connect(dsn, runner_id=args.name, pool_size=args.pool_size)
    try:
        worker = pgqrs.Worker(store, [wf], name=args.name, concurrency=args.concurrency)
        loop = asyncio.get_running_loop()
        print("ready", flush=True)
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if line.strip() != "go":
            return 1
        before = resource.getrusage(resource.RUSAGE_SELF)
        running = asyncio.create_task(worker.run())

        async def stop_on_input() -> None:
            await loop.run_in_executor(None, sys.stdin.readline)
            worker.stop()

        stopper = asyncio.create_task(stop_on_input())
        await running
        stopper.cancel()
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        print(f"executed {flows.EXECUTED} cpu {cpu:.6f}", flush=True)
    finally:
        await store.close()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("name")
    parser.add_argument("workflow")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--pool-size", type=int, default=4)
    return asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
