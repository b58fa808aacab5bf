"""pgqrs dashboard in a real browser: Debian's Chromium driven by Playwright, headless.

One database, one server and one browser for the module. The server is a Starlette
application with three dashboards mounted, as a user would mount them: ``/ops`` with a token and
actions allowed (the browser's), ``/ro`` read-only and open, ``/basic`` with basic auth and
actions. A worker runs in a thread with its own event loop when a test needs one.

The pagination test runs last: it adds 10,000 workflows to the module's database.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from helpers import poll
from psycopg.conninfo import make_conninfo

import pgqrs
from pgqrs import PyWorkflow
from pgqrs.decorators import step, workflow
from pgqrs.testing import Server, create_database, drop_database, dsn_for

starlette = pytest.importorskip("starlette")
uvicorn = pytest.importorskip("uvicorn")
playwright_sync = pytest.importorskip("playwright.sync_api")

from starlette.applications import Starlette  # noqa: E402
from starlette.routing import Mount  # noqa: E402

from pgqrs.dashboard import create_app  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
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
TOKEN = "test-token-0123456789abcdef"
BASIC = ("ops", "s3cret-password")


# --- the workflows the worker runs -------------------------------------------------------------

attempts: dict[str, int] = {}


@step
async def fetch_order(ctx: PyWorkflow, order_id: int) -> dict[str, Any]:
    return {"order": order_id, "items": 3}


@step(retries=2, backoff=0.05)
async def charge_card(ctx: PyWorkflow, order: dict[str, Any]) -> str:
    seen = attempts.get(str(ctx.id), 0)
    attempts[str(ctx.id)] = seen + 1
    if seen == 0:
        raise ConnectionError("the card processor timed out")
    return "ch_1"


@step
async def ship(ctx: PyWorkflow, order: dict[str, Any]) -> str:
    return "shipped"


@workflow
async def checkout(ctx: PyWorkflow, order_id: int) -> str:
    order = await fetch_order(ctx, order_id)
    await charge_card(ctx, order)
    return await ship(ctx, order)


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def db(pg_server: Server, template_dsn: str) -> Iterator[str]:
    name = f"t_dash_{uuid.uuid4().hex[:12]}"
    create_database(pg_server.dsn, name, template="pgqrs_template")
    try:
        yield dsn_for(pg_server.dsn, name)
    finally:
        drop_database(pg_server.dsn, name)


class ServerThread:
    """uvicorn serving ``app`` on a free port, in a thread with its own event loop."""

    def __init__(self, app: Any) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="warning", timeout_graceful_shutdown=1
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="dashboard", daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        poll(lambda: self.server.started, timeout=30, what="the dashboard server to start")
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)


# The monitoring role of docs/security.md, step 4: EXECUTE on the functions that only read.
MONITOR_GRANTS = """
do $$
declare
    v_fn regprocedure;
begin
    for v_fn in
        select p.oid from pg_catalog.pg_proc p
         where p.pronamespace = 'pgqrs'::regnamespace and p.proname !~ '^_'
           and (p.provolatile <> 'v' or p.proname = 'now')
    loop
        execute format('grant execute on function %s to {role}', v_fn);
    end loop;
end
$$;
"""


@pytest.fixture(scope="module")
def monitor_dsn(db: str) -> Iterator[str]:
    """A login role with the monitoring role's grants only: no table privilege."""
    role = f"dash_monitor_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'monitor-password'")
        conn.execute(f"GRANT USAGE ON SCHEMA pgqrs TO {role}")
        conn.execute(MONITOR_GRANTS.replace("{role}", role))
    try:
        yield make_conninfo(db, user=role, password="monitor-password")
    finally:
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")


@pytest.fixture(scope="module")
def site(db: str, monitor_dsn: str) -> Iterator[str]:
    """The base URL of the server; the dashboards are at /ops, /ro, /basic and /mon (read as
    the monitoring role)."""
    ops = create_app(db, token=TOKEN, allow_actions=True, refresh_interval=0.2)
    ro = create_app(db)
    basic = create_app(db, basic_auth=":".join(BASIC), allow_actions=True)
    mon = create_app(monitor_dsn)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        yield
        for dashboard in (ops, ro, basic, mon):
            await dashboard.close()

    app = Starlette(
        routes=[Mount("/ops", ops), Mount("/ro", ro), Mount("/basic", basic), Mount("/mon", mon)],
        lifespan=lifespan,
    )
    with ServerThread(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: run scripts/bootstrap.sh (apt-get install chromium)")
    with playwright_sync.sync_playwright() as p:
        found = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield found
        found.close()


class Page:
    """A browser page that records console errors and page errors."""

    def __init__(self, context: Any) -> None:
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))


@pytest.fixture(scope="module")
def context(browser: Any, site: str) -> Iterator[Any]:
    """A browser context logged in to /ops with the token (through the login form)."""
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{site}/ops/")
    assert "/ops/login" in page.url
    page.fill("input[name=token]", TOKEN)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site}/ops/")
    page.close()
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Iterator[Page]:
    found = Page(context)
    yield found
    found.page.close()


@contextlib.contextmanager
def worker(dsn: str) -> Iterator[None]:
    """A worker serving checkout, in a thread with its own event loop."""
    ready = threading.Event()
    holder: dict[str, Any] = {}

    async def main() -> None:
        async with await pgqrs.connect(dsn, runner_id="dash-worker") as store:
            found = pgqrs.Worker(store, [checkout], concurrency=2, grace_period=5)
            holder["worker"], holder["loop"] = found, asyncio.get_running_loop()
            ready.set()
            await found.run()

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(30)
    try:
        yield
    finally:
        holder["worker"].stop()
        thread.join(30)


def sql(dsn: str, query: str, params: Any = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(query, params)
        return cur.fetchall() if cur.description else []


def start(dsn: str, name: str, value: Any = None) -> str:
    return str(
        sql(
            dsn,
            "select workflow_id from pgqrs.start_workflow(%s, %s::jsonb)",
            (name, json.dumps(value)),
        )[0][0]
    )


def http(
    url: str, *, data: dict[str, str] | None = None, headers: dict[str, str] | None = None
) -> tuple[int, str]:
    body = (
        None
        if data is None
        else "&".join(f"{k}={urllib.request.quote(v)}" for k, v in data.items()).encode()
    )
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def status_of(dsn: str, workflow_id: str) -> str:
    return str(sql(dsn, "select status from pgqrs.get_workflow(%s)", (workflow_id,))[0][0])


# --- tests -------------------------------------------------------------------------------------


def test_every_page_loads_without_console_errors(db: str, site: str, page: Page) -> None:
    with worker(db):
        done = start(db, "checkout", 7)
        poll(lambda: status_of(db, done) == "SUCCESS", what="checkout to finish")
    start(db, "nobody_serves_this")
    for path, heading in [
        ("/", "Overview"),
        ("/workflows", "Workflows"),
        (f"/workflows/{done}", "checkout"),
        ("/workers", "Workers"),
        ("/queues", "Queues"),
        ("/schedules", "Schedules"),
        ("/workflows?status=SUCCESS&name=checkout", "Workflows"),
    ]:
        response = page.page.goto(f"{site}/ops{path}")
        assert response is not None and response.status == 200, path
        assert heading in page.page.inner_text("h1"), path
        # every link of the page stays under the mount point
        hrefs = page.page.eval_on_selector_all(
            "a[href]", "els => els.map(e => e.getAttribute('href'))"
        )
        assert all(h.startswith("/ops/") or h == "/ops/" for h in hrefs), (path, hrefs)
    assert page.errors == []
    page.page.goto(f"{site}/ops/")
    overview = page.page.inner_text("#live")
    assert "no live worker serves nobody_serves_this" in overview
    assert "SUCCESS" in overview
    # Queues and schedules: what pgqrs.list_queues() and list_schedules() return.
    sql(db, "select pgqrs.set_queue('payments', '{\"concurrency\": 4}'::jsonb)")
    sql(
        db,
        "select * from pgqrs.set_schedule('nightly', 'checkout', '0 3 * * *', 'UTC', null, '{}')",
    )
    page.page.goto(f"{site}/ops/queues")
    queues = page.page.inner_text("main")
    assert "payments" in queues and "nobody_serves_this" in queues, queues
    page.page.goto(f"{site}/ops/schedules")
    assert page.page.inner_text("main td code.nowrap") == "0 3 * * *"  # on one line
    assert page.page.locator("main td span.muted", has_text="paused").count() == 0
    assert page.page.query_selector(".not-available") is None
    # A paused schedule shows no next run (resumed, it starts from the first tick after then).
    sql(db, "select pgqrs.pause_schedule('nightly')")
    page.page.goto(f"{site}/ops/schedules")
    assert page.page.locator("main td span.muted", has_text="paused").count() == 1
    assert page.errors == []


def test_a_started_workflow_appears_live(db: str, site: str, page: Page) -> None:
    page.page.goto(f"{site}/ops/workflows")
    page.page.wait_for_selector("#live-status.on", timeout=10_000)  # the event stream is open
    page.page.evaluate("window.__same_page = true")
    workflow_id = start(db, "appears_live", {"n": 1})
    page.page.wait_for_selector(f'a[title="{workflow_id}"]', timeout=10_000)
    assert page.page.evaluate("window.__same_page") is True  # swapped in, not reloaded
    assert page.errors == []


def test_the_timeline_shows_each_step_and_attempt(db: str, site: str, page: Page) -> None:
    with worker(db):
        workflow_id = start(db, "checkout", 42)
        poll(lambda: status_of(db, workflow_id) == "SUCCESS", what="checkout to finish")
    page.page.goto(f"{site}/ops/workflows/{workflow_id}")
    timeline = page.page.locator("svg.timeline")
    labels = timeline.locator("text.step-key").all_text_contents()
    assert labels == ["fetch_order", "charge_card", "ship"]
    titles = timeline.locator("rect > title").all_text_contents()
    assert any(t.startswith("charge_card attempt 1: FAILED") for t in titles), titles
    assert any(t.startswith("charge_card attempt 2: SUCCESS") for t in titles), titles
    assert any("the card processor timed out" in t for t in titles)
    assert timeline.locator("line.backoff").count() == 1  # the pause before the retry
    assert '"shipped"' in page.page.inner_text("#live")
    assert page.errors == []


def test_cancel_works_with_the_token_and_is_refused_without_it(
    db: str, site: str, page: Page, browser: Any
) -> None:
    workflow_id = start(db, "nobody_serves_this", {"to": "cancel"})
    url = f"{site}/ops/workflows/{workflow_id}/cancel"
    # No credentials at all: 401, whatever the form says.
    assert http(url, data={"reason": "no"})[0] == 401
    # Credentials but no CSRF token (a forged post from another site): 403.
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert http(url, data={"reason": "no"}, headers=bearer)[0] == 403
    # A browser without the session cookie cannot post either.
    stranger = browser.new_context()
    try:
        response = stranger.request.post(url, form={"reason": "no", "csrf": "x"}, max_redirects=0)
        assert response.status == 401
    finally:
        stranger.close()
    assert status_of(db, workflow_id) == "PENDING"

    # The logged-in browser cancels from the page.
    page.page.goto(f"{site}/ops/workflows/{workflow_id}")
    page.page.on("dialog", lambda dialog: dialog.accept())
    page.page.fill("form.action-cancel input[name=reason]", "customer asked")
    page.page.click("form.action-cancel button")
    page.page.wait_for_selector(".banner.ok")
    assert "Cancelled." in page.page.inner_text(".banner.ok")
    assert status_of(db, workflow_id) == "CANCELLED"
    assert "customer asked" in page.page.inner_text("#error")
    # A second cancel is the SQL's answer, not an error: it had finished.
    page.page.goto(f"{site}/ops/workflows/{workflow_id}")
    assert page.page.locator("form.action-cancel").count() == 0  # not offered any more
    # Resume is one SQL call too, and its refusal shows the pgqrs message: revive needs DEAD.
    csrf = page.page.get_attribute("form.action-resume input[name=csrf]", "value")
    refused = page.page.request.post(
        f"{site}/ops/workflows/{workflow_id}/revive", form={"csrf": csrf or ""}
    )
    assert refused.status == 409
    assert "is CANCELLED, not DEAD (PQ005)" in refused.text()
    assert page.errors == []


def test_the_monitoring_role_reads_every_page(db: str, site: str) -> None:
    workflow_id = start(db, "nobody_serves_this", {"to": "read"})
    for path in [
        "/",
        "/workflows",
        f"/workflows/{workflow_id}",
        "/workers",
        "/queues",
        "/schedules",
        "/workflows?status=PENDING&q=some-key",
    ]:
        status, html = http(f"{site}/mon{path}")
        assert status == 200, (path, html)
        assert 'class="banner error"' not in html, path
    # The event stream of a workflow's page reads the notification key: granted too.
    request = urllib.request.Request(f"{site}/mon/events?watch={workflow_id}")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        assert response.read(13) == b"retry: 3000\ne"


def test_read_only_and_basic_auth_dashboards(db: str, site: str) -> None:
    workflow_id = start(db, "nobody_serves_this", {"to": "keep"})
    status, html = http(f"{site}/ro/workflows/{workflow_id}")
    assert status == 200 and "action-cancel" not in html
    status, html = http(f"{site}/ro/workflows/{workflow_id}/cancel", data={"csrf": ""})
    assert status == 403 and "Actions are off" in html
    # Basic auth: the browser's prompt, then pages; actions need the CSRF token of a page.
    status, _ = http(f"{site}/basic/")
    assert status == 401
    good = {"Authorization": "Basic " + base64.b64encode(":".join(BASIC).encode()).decode()}
    wrong = {"Authorization": "Basic " + base64.b64encode(b"ops:guess").decode()}
    assert http(f"{site}/basic/", headers=wrong)[0] == 401
    status, html = http(f"{site}/basic/workflows/{workflow_id}", headers=good)
    assert status == 200
    csrf = html.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    cancel = f"{site}/basic/workflows/{workflow_id}/cancel"
    other_site = {**good, "Origin": "https://evil.example"}
    assert http(cancel, data={"csrf": csrf}, headers=other_site)[0] == 403
    assert status_of(db, workflow_id) == "PENDING"
    status, html = http(cancel, data={"csrf": csrf, "reason": "basic"}, headers=good)
    assert status == 200 and "Cancelled." in html  # followed the redirect
    assert status_of(db, workflow_id) == "CANCELLED"


def test_pagination_at_10000_workflows_stays_under_a_second(db: str, site: str, page: Page) -> None:
    sql(
        db,
        "select pgqrs.start_workflow(case when mod(i, 2) = 0 then 'bulk_even' else 'bulk_odd' end,"
        " jsonb_build_object('i', i)) from generate_series(1, 10000) i",
    )
    sql(db, "analyze pgqrs.workflows")
    timings: dict[str, tuple[float, float]] = {}
    # What a reader waits for: the browser's own navigation timing, from the click (or the
    # address) to the page loaded; and the wall time Playwright saw, for the record.
    navigation = (
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return n.loadEventEnd - n.startTime; }"
    )

    def timed(label: str, action: Any) -> None:
        started = time.perf_counter()
        action()
        page.page.wait_for_load_state("load")
        wall = time.perf_counter() - started
        timings[label] = (page.page.evaluate(navigation) / 1000, wall)

    timed("first page", lambda: page.page.goto(f"{site}/ops/workflows"))
    for n in range(2, 12):
        timed(f"page {n}", lambda: page.page.click("a.next"))
    assert page.page.locator("table.workflows tbody tr").count() == 50
    timed("by name", lambda: page.page.goto(f"{site}/ops/workflows?name=bulk_odd"))
    for n in range(2, 6):
        timed(f"by name, page {n}", lambda: page.page.click("a.next"))
    timed("by status", lambda: page.page.goto(f"{site}/ops/workflows?status=PENDING"))
    timed("by status, page 2", lambda: page.page.click("a.next"))
    timed("overview", lambda: page.page.goto(f"{site}/ops/"))
    print(
        "\npage times at 10,000 workflows, ms (browser navigation, wall):",
        json.dumps({k: [round(n * 1000), round(w * 1000)] for k, (n, w) in timings.items()}),
    )
    slow = {k: v for k, v in timings.items() if v[0] >= 1.0}
    assert slow == {}, slow
    assert page.errors == []


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_command_serves_pages_and_metrics_until_sigterm(db: str) -> None:
    import os
    import signal
    import subprocess
    import sys

    refused = subprocess.run(
        [sys.executable, "-m", "pgqrs", "dashboard", "--dsn", db, "--allow-actions"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PGQRS_DASHBOARD_TOKEN": ""},
    )
    assert refused.returncode == 2
    assert "actions need credentials" in refused.stderr
    start(db, "cli_probe")
    port, metrics = _free_port(), _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pgqrs",
            "dashboard",
            "--dsn",
            db,
            "--port",
            str(port),
            "--metrics-port",
            str(metrics),
            "--log-level",
            "WARNING",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def up() -> bool:
            try:
                return http(f"http://127.0.0.1:{port}/workers")[0] == 200
            except OSError:
                return False

        poll(up, timeout=30, what="pgqrs dashboard to answer")
        status, text = http(f"http://127.0.0.1:{metrics}/metrics")
        assert status == 200
        assert 'pgqrs_workflows{name="cli_probe",status="PENDING"} 1' in text
        assert 'pgqrs_queue_depth{name="cli_probe",state="ready"} 1' in text
        unserved = re.search(r'^pgqrs_stuck_workflows\{kind="unserved"\} (\d+)$', text, re.M)
        assert unserved is not None and int(unserved.group(1)) >= 1  # cli_probe
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
