"""Regenerate the dashboard screenshots of docs/dashboard.md (docs/images/dashboard-*.png).

Usage: python tools/screenshots.py       (make screenshots)

It starts a throwaway PostgreSQL (as the tests do: pgqrs.testing.server_from_env), installs
pgqrs, fills it with an hour of history and a few live workflows (a checkout whose card charge is
retried, a fan-out with children, a workflow waiting for a message, a failure with its traceback,
a DEAD one, work nobody serves), runs a worker, serves the dashboard with uvicorn and takes a
screenshot of each page with the system's Chromium (Playwright, headless). Everything is gone
afterwards. Needs the test extras (scripts/bootstrap.sh) and /usr/bin/chromium.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import uvicorn
from playwright.sync_api import sync_playwright

import pgqrs
from pgqrs import PyWorkflow
from pgqrs.dashboard import create_app
from pgqrs.decorators import step, workflow
from pgqrs.testing import TEST_SETTINGS, create_database, install_pgqrs, server_from_env

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
TOKEN = "screenshots-token-0123456789"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# --- the demo's workflows ------------------------------------------------------------------------

tries: dict[str, int] = {}


@step
async def load_cart(ctx: PyWorkflow, order: int) -> dict[str, Any]:
    await asyncio.sleep(0.12)
    return {"order": order, "items": ["keyboard", "cable"], "cents": 8990}


@step(retries=3, backoff=0.3)
async def charge_card(ctx: PyWorkflow, cart: dict[str, Any]) -> str:
    await asyncio.sleep(0.2)
    seen = tries.get(str(ctx.id), 0)
    tries[str(ctx.id)] = seen + 1
    if seen < 2:
        raise ConnectionError("payment gateway timed out after 0.2s")
    return "ch_3PqK9v"


@step
async def reserve_stock(ctx: PyWorkflow, cart: dict[str, Any]) -> bool:
    await asyncio.sleep(0.25)
    return True


@step
async def send_receipt(ctx: PyWorkflow, cart: dict[str, Any]) -> str:
    await asyncio.sleep(0.08)
    return "sent to ada@example.com"


@workflow
async def checkout(ctx: PyWorkflow, order: int) -> dict[str, Any]:
    cart = await load_cart(ctx, order)
    charge = await charge_card(ctx, cart)
    await reserve_stock(ctx, cart)
    await ctx.set_event("status", "paid")
    receipt = await send_receipt(ctx, cart)
    return {"charge": charge, "receipt": receipt}


@step
async def resize(ctx: PyWorkflow, image: str) -> str:
    await asyncio.sleep(0.1)
    return image.replace(".png", "@2x.png")


@workflow
async def thumbnail(ctx: PyWorkflow, image: str) -> str:
    return await resize(ctx, image)


@workflow
async def publish_album(ctx: PyWorkflow, images: list[str]) -> list[str]:
    children = [await ctx.start_child(thumbnail, image) for image in images]
    return [await child.result() for child in children]


@step
async def parse_csv(ctx: PyWorkflow, path: str) -> int:
    raise ValueError(f"{path}: line 17: expected 5 columns, found 4")


@workflow
async def import_catalog(ctx: PyWorkflow, path: str) -> int:
    return await parse_csv(ctx, path)


@workflow
async def await_approval(ctx: PyWorkflow, request: str) -> Any:
    await ctx.set_event("state", "waiting for a manager")
    return await ctx.recv("approval")


FLOWS = [checkout, thumbnail, publish_album, import_catalog, await_approval]

# An hour of history, made with the fake clock (the superuser's session may set it).
HISTORY = """
do $$
declare
    v_id uuid;
    v_token bigint;
    v_name text;
begin
    for v_minute in reverse 59..1 loop
        for v_i in 1..(6 + (v_minute * 7) % 11) loop
            v_name := (array['send_invoice', 'sync_inventory', 'checkout'])[1 + v_i % 3];
            perform pg_catalog.set_config('pgqrs.fake_now',
                (now() - v_minute * interval '1 minute' + v_i * interval '2 seconds')::text, true);
            select c.workflow_id into v_id
              from pgqrs.create_workflow(v_name, jsonb_build_object('n', v_i)) c;
            select a.token into v_token from pgqrs.acquire_workflow(v_id, 'history') a;
            perform pgqrs.complete_step(v_id, 'work', v_token, '"ok"');
            if (v_minute + v_i) % 13 = 0 then
                perform pgqrs.fail_workflow(v_id, v_token,
                    '{"type": "TimeoutError", "message": "upstream did not answer"}');
            else
                perform pgqrs.complete_workflow(v_id, v_token, '"done"');
            end if;
        end loop;
    end loop;
end
$$;
"""

# A DEAD workflow: claimed with max_recoveries 0 by a worker that then "dies" (its lease is
# expired with the fake clock), and claimed again.
DEAD = """
do $$
begin
    perform pgqrs.register_worker('crashed-host:4242', array['nightly_report'], 1);
    perform * from pgqrs.start_workflow('nightly_report', '{"day": "2025-06-01"}',
                                        p_max_recoveries => 0);
    perform * from pgqrs.claim('crashed-host:4242', gen_random_uuid(), 1, 1);
    perform pg_catalog.set_config('pgqrs.fake_now', (now() + interval '2 seconds')::text, true);
    perform * from pgqrs.claim('crashed-host:4242', gen_random_uuid(), 1, 1);
    perform pgqrs.stop_worker('crashed-host:4242');
end
$$;
"""


def seed(dsn: str) -> dict[str, str]:
    """Fill the database; return the ids the screenshots show."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(HISTORY)
        conn.execute(DEAD)
        conn.execute("select pgqrs.start_workflow('nightly_report', '{\"day\": \"2025-06-02\"}')")
        # Queues with limits, and schedules, for their pages.
        conn.execute(
            "select pgqrs.set_queue('payments',"
            ' \'{"concurrency": 4, "rate_limit": 100, "rate_period_seconds": 60}\')'
        )
        conn.execute("select pgqrs.set_queue('emails', '{\"key_concurrency\": 2}')")
        conn.execute(
            "select pgqrs.set_queue('exports', '{\"worker_concurrency\": 1, \"paused\": true}')"
        )
        conn.execute(
            "select * from pgqrs.start_workflows('settle_invoice', '[1, 2, 3, 4, 5, 6]', null,"
            ' \'{"queue": "payments", "priority": 5}\')'
        )
        conn.execute(
            "select * from pgqrs.set_schedule('nightly-report', 'nightly_report', '0 3 * * *',"
            " 'Europe/Paris', null, '{}')"
        )
        conn.execute(
            "select * from pgqrs.set_schedule('sync-eu', 'import_catalog', '*/15 * * * *',"
            " 'UTC', '\"s3://catalog/eu.csv\"', '{\"missed\": \"catch_up\"}')"
        )
        conn.execute("select pgqrs.pause_schedule('sync-eu')")
    ids: dict[str, str] = {}

    async def run() -> None:
        async with await pgqrs.connect(dsn, runner_id="web-1:3170") as store:
            admin = pgqrs.admin(store)
            worker = pgqrs.Worker(store, FLOWS, concurrency=8, grace_period=1)
            task = asyncio.create_task(worker.run())
            handle = await admin.start_workflow(checkout, 1042)
            ids["checkout"] = str(handle.id)
            await handle.result(timeout=60)
            album = await admin.start_workflow(
                publish_album, ["beach.png", "dunes.png", "harbour.png"]
            )
            ids["album"] = str(album.id)
            await album.result(timeout=60)
            failing = await admin.start_workflow(import_catalog, "s3://catalog/2025-06.csv")
            ids["failed"] = str(failing.id)
            with contextlib.suppress(pgqrs.WorkflowFailedError):
                await failing.result(timeout=60)
            waiting = await admin.start_workflow(await_approval, "refund #88")
            ids["waiting"] = str(waiting.id)
            for order in (1043, 1044):
                await admin.start_workflow(checkout, order)
            await asyncio.sleep(3)
            worker.stop()
            await task

    asyncio.run(run())
    return ids


@contextlib.contextmanager
def live_worker(dsn: str) -> Iterator[None]:
    """A worker that stays registered and alive while the screenshots are taken."""
    stop = threading.Event()

    async def run() -> None:
        async with await pgqrs.connect(dsn, runner_id="web-2:3188") as store:
            worker = pgqrs.Worker(store, [thumbnail, await_approval], concurrency=4)
            task = asyncio.create_task(worker.run())
            await asyncio.to_thread(stop.wait)
            worker.stop()
            await task

    thread = threading.Thread(target=asyncio.run, args=(run(),), daemon=True)
    thread.start()
    time.sleep(1)
    try:
        yield
    finally:
        stop.set()
        thread.join(30)


@contextlib.contextmanager
def serving(dsn: str) -> Iterator[str]:
    app = create_app(dsn, token=TOKEN, allow_actions=True)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def shoot(url: str, ids: dict[str, str]) -> list[Path]:
    """One PNG per page: the whole page for short ones, the first screen for long ones, and the
    children tree of the fan-out on its own."""
    IMAGES.mkdir(parents=True, exist_ok=True)
    shots = [
        ("overview", "/", "page"),
        ("workflows", "/workflows", "screen"),
        ("workflow", f"/workflows/{ids['checkout']}", "page"),
        ("failed", f"/workflows/{ids['failed']}", "screen"),
        ("children", f"/workflows/{ids['album']}", "section:has(h2:text-is('Children'))"),
        ("workers", "/workers", "page"),
        ("queues", "/queues", "page"),
        ("schedules", "/schedules", "page"),
    ]
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{url}/login")
        page.fill("input[name=token]", TOKEN)
        page.click("button[type=submit]")
        page.wait_for_load_state("load")
        for name, path, what in shots:
            # A short page is shot whole: the viewport's height then only sets a minimum.
            page.set_viewport_size({"width": 1280, "height": 400 if what == "page" else 800})
            page.goto(url + path)
            page.wait_for_load_state("load")
            page.wait_for_selector("#live-status.on")
            target = IMAGES / f"dashboard-{name}.png"
            if what in ("page", "screen"):
                page.screenshot(path=str(target), full_page=what == "page")
            else:
                page.locator(what).screenshot(path=str(target))
            written.append(target)
        browser.close()
    return written


def main() -> int:
    with server_from_env(TEST_SETTINGS) as server:
        dsn = create_database(server.dsn, "pgqrs_screenshots")
        install_pgqrs(dsn, "psql", bindir=server.bindir)
        ids = seed(dsn)
        with live_worker(dsn), serving(dsn) as url:
            written = shoot(url, ids)
    for path in written:
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
