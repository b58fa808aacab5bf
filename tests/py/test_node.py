"""The protocol from another language: Node.js against the Python client.

tests/node/scenario.mjs drives three workflows through the 0.2.0 SQL API (submit_workflow,
begin_step with positions, complete_step, fail_step_attempt, ...) with the `pg` package from npm;
``python_scenario`` below runs the same scenario with the Python client's low-level API
(``acquire_step``, ``guard.success``/``guard.fail``, a second run for the replay), which sends
those same calls. Each runs in its own fresh database, with the same workflow names, inputs,
idempotency keys, step keys and positions, retry policies, values, errors, runner ids (lease
owners) and lease length, and the test checks that they leave the same rows in pgqrs.workflows,
pgqrs.steps and pgqrs.step_attempts.

The scenario, for both:

* charge_order: created (and created again with the same idempotency key); run 1 as runner-1:
  reserve_stock succeeds, charge_card fails, send_receipt is begun and then the runner
  "crashes"; runner-2 finds the workflow busy (PQ002); run 2, runner-1 restarted: reserve_stock
  replays, charge_card replays its stored failure (begin_step answers FAILED, raised as PQ004),
  a late write of run 1 is fenced out (PQ003), send_receipt runs again and the workflow
  succeeds; acquiring it again returns the output and runs nothing.
* ship_order: run 1: pick_items succeeds, a heartbeat, book_courier is begun, then the lease is
  released (a graceful shutdown) and a late write with the released token is fenced out (PQ003);
  run 2: pick_items replays, book_courier fails, the workflow fails; a replay returns the error.
* refund_order: refund_card has a retry policy (2 attempts, 50 ms backoff): attempt 1 fails with
  a retryable error (RETRYING), begin_step answers WAIT until the session's fake clock
  (pgqrs.fake_now) is moved past the backoff, attempt 2 succeeds. Then the replay guard: another
  step key at the position refund_card recorded raises PQ010. notify_customer runs and the
  workflow succeeds. The low-level Python API cannot give a step a policy, so on the Python side
  this workflow's steps go through SQL on a psycopg connection, with the client's own statements
  (pgqrs._sql).

Also here: the psql and Node.js examples of docs/other-languages.md run as they are.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import psycopg
import pytest
from helpers import run_psql_script, until_running
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row

import pgqrs
from pgqrs import PyWorkflow, _codec, _sql
from pgqrs.decorators import workflow
from pgqrs.testing import Server, create_database, drop_database, dsn_for

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = REPO_ROOT / "tests" / "node"
SCENARIO = NODE_DIR / "scenario.mjs"
OTHER_LANGUAGES = REPO_ROOT / "docs" / "other-languages.md"

# What both scenarios use. Keep in step with tests/node/scenario.mjs.
OWNER = "runner-1"
OTHER = "runner-2"
LEASE_SECONDS = 30.0
CHARGE_INPUT = {"order_id": 42, "amount_cents": 1999}
SHIP_INPUT = {"order_id": 42, "items": ["sku-1", "sku-2"]}
REFUND_INPUT = {"order_id": 42, "amount_cents": 1999}
# refund_card's retry policy: (max_attempts, backoff, max_backoff, timeout), as begin_step takes it.
REFUND_POLICY = (2, 0.05, 0.05, None)
# What the client sends for a step without a policy (pgqrs._policy.NO_RETRIES, no timeout).
NO_RETRIES = (1, 1.0, 3600.0, None)
# The fake clock of a session, as scenario.mjs sets it: frozen at the current time, moved on by
# some seconds, back to the real clock.
FREEZE_CLOCK = "select set_config('pgqrs.fake_now', pgqrs.now()::text, false)"
ADVANCE_CLOCK = (
    "select set_config('pgqrs.fake_now',"
    " (pgqrs.now() + %s::float8 * interval '1 second')::text, false)"
)
RESET_CLOCK = "reset pgqrs.fake_now"
# The SQLSTATEs each scenario must catch, in order: busy, replayed failed step, two fenced writes,
# a step key that is not the one recorded at its position.
EXPECTED_CAUGHT = ["PQ002", "PQ004", "PQ003", "PQ003", "PQ010"]


class NoCourierError(Exception):
    """ship_order's own failure. Stored with type "shipping.NoCourierError" (the Python client
    writes "module.ClassName"), which is the name scenario.mjs gives its error class."""

    __module__ = "shipping"


class GatewayTimeoutError(Exception):
    """refund_card's first, retried, failure: "payments.GatewayTimeoutError" in both scenarios."""

    __module__ = "payments"


# --- running node ---------------------------------------------------------------------------


def node_binary() -> str:
    """The node executable, or a test failure (not a skip: CI has Node.js)."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            "node not found on PATH: this test needs Node.js 18 or later "
            "(Debian/Ubuntu: apt-get install nodejs npm), then `make setup`"
        )
    if not (NODE_DIR / "node_modules" / "pg").is_dir():
        pytest.fail(
            "tests/node/node_modules is missing (or has no pg): run `make setup`, "
            "which runs `npm ci` in tests/node"
        )
    return node


def node_url(dsn: str) -> str:
    """``dsn`` (a libpq key=value string or URL) as a postgresql:// URL, which is what the
    `pg` package's connectionString understands."""
    params = {k: str(v) for k, v in conninfo_to_dict(dsn).items()}
    user = quote(params.pop("user", ""), safe="")
    password = params.pop("password", None)
    host = params.pop("host", "")
    port = params.pop("port", "")
    dbname = quote(params.pop("dbname", ""), safe="")
    auth = f"{user}:{quote(password, safe='')}@" if password is not None else f"{user}@"
    if host.startswith("/"):  # a Unix socket directory: pg takes it as a query parameter
        params["host"] = host
        host = ""
    netloc = f"{auth}{host}{':' + port if port and host else ''}"
    if port and not host:
        params["port"] = port
    query = f"?{urlencode(params)}" if params else ""
    return f"postgresql://{netloc}/{dbname}{query}"


def run_node(
    args: list[str], *, stdin: str | None = None, env: dict[str, str] | None = None
) -> str:
    """Run node in tests/node (so `import pg` resolves there); return stdout, fail on exit != 0."""
    proc = subprocess.run(
        [node_binary(), *args],
        cwd=NODE_DIR,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )
    if proc.returncode != 0:
        pytest.fail(f"node {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}{proc.stdout}")
    return proc.stdout


# --- the Python side of the scenario ----------------------------------------------------------


async def python_scenario(dsn: str) -> list[str | None]:
    """The scenario of scenario.mjs, call for call, with the Python client. Returns the
    SQLSTATEs of the errors it caught, in order."""
    caught: list[str | None] = []
    async with (
        await pgqrs.connect(dsn, runner_id=OWNER, lease_seconds=LEASE_SECONDS) as runner,
        await pgqrs.connect(dsn, runner_id=OTHER, lease_seconds=LEASE_SECONDS) as other,
    ):
        admin = pgqrs.admin(runner)

        # -- charge_order ---------------------------------------------------------------------
        ctx = await admin.create_workflow("charge_order", CHARGE_INPUT, idempotency_key="order-42")
        again = await admin.create_workflow(
            "charge_order", CHARGE_INPUT, idempotency_key="order-42"
        )
        assert again.id == ctx.id

        # Run 1: the first acquire_step acquires the workflow (token 1).
        s = await ctx.acquire_step("reserve_stock")
        assert s.status == "EXECUTE" and s.guard is not None
        assert ctx.token == 1
        await s.guard.success({"reservation": "R-7"})
        s = await ctx.acquire_step("charge_card")
        assert s.status == "EXECUTE" and s.guard is not None
        await s.guard.fail("card declined")
        late = await ctx.acquire_step("send_receipt")  # then run 1 "crashes"
        assert late.status == "EXECUTE" and late.guard is not None
        late_guard = late.guard
        # Node begins it explicitly; here it is marked RUNNING once it has run for 50 ms.
        await until_running(dsn, ctx.id, "send_receipt")

        busy_ctx = await pgqrs.admin(other).workflow(ctx.id)
        with pytest.raises(pgqrs.WorkflowBusyError) as busy:
            await busy_ctx.acquire_step("reserve_stock")
        assert busy.value.owner == OWNER
        caught.append(busy.value.sqlstate)

        @workflow
        async def charge_order(ctx: PyWorkflow, order: dict[str, Any]) -> dict[str, Any]:
            assert ctx.token == 2
            s = await ctx.acquire_step("reserve_stock")
            assert (s.status, s.value) == ("SKIPPED", {"reservation": "R-7"})
            with pytest.raises(pgqrs.StepFailedError) as failed:
                await ctx.acquire_step("charge_card")
            caught.append(failed.value.sqlstate)
            with pytest.raises(pgqrs.LeaseLostError) as lost:
                await late_guard.success({"sent": "late"})
            caught.append(lost.value.sqlstate)
            s = await ctx.acquire_step("send_receipt")
            assert s.status == "EXECUTE" and s.guard is not None
            await s.guard.success({"sent": True})
            return {"charged": False, "reason": failed.value.error_message}

        # Run 2: runner-1 restarted (a new context, same runner id).
        output = await charge_order(await admin.workflow(ctx.id), CHARGE_INPUT)
        assert output == {"charged": False, "reason": "card declined"}
        # Replay of the finished workflow by runner-2: the stored output, nothing runs.
        assert await charge_order(busy_ctx, CHARGE_INPUT) == output

        # -- ship_order -----------------------------------------------------------------------
        ctx = await admin.create_workflow("ship_order", SHIP_INPUT, idempotency_key="ship-42")
        s = await ctx.acquire_step("pick_items")
        assert s.status == "EXECUTE" and s.guard is not None
        await s.guard.success(["sku-1", "sku-2"])
        await ctx.heartbeat()
        late = await ctx.acquire_step("book_courier")
        assert late.status == "EXECUTE" and late.guard is not None
        await until_running(dsn, ctx.id, "book_courier")
        await ctx.release()
        with pytest.raises(pgqrs.LeaseLostError) as lost:
            await late.guard.success({"courier": "late"})
        caught.append(lost.value.sqlstate)

        @workflow
        async def ship_order(ctx: PyWorkflow, order: dict[str, Any]) -> None:
            assert ctx.token == 3
            s = await ctx.acquire_step("pick_items")
            assert (s.status, s.value) == ("SKIPPED", ["sku-1", "sku-2"])
            s = await ctx.acquire_step("book_courier")
            assert s.status == "EXECUTE" and s.guard is not None
            await s.guard.fail("no courier available")
            raise NoCourierError(f"no courier for order {order['order_id']}")

        ctx = await admin.workflow(ctx.id)
        with pytest.raises(NoCourierError):
            await ship_order(ctx, SHIP_INPUT)
        with pytest.raises(pgqrs.WorkflowFailedError) as replayed:
            await ship_order(ctx, SHIP_INPUT)
        assert replayed.value.error_type == "shipping.NoCourierError"

        # -- refund_order ---------------------------------------------------------------------
        # The low-level API cannot give a step a retry policy, and this test must not sleep
        # through a backoff. So the client creates, acquires and completes refund_order, but its
        # steps go through SQL on a psycopg connection of their own: the client's statements
        # (pgqrs._sql) with the arguments the client sends, and the session clock faked
        # (pgqrs.fake_now) with the statements scenario.mjs uses.
        ctx = await admin.create_workflow("refund_order", REFUND_INPUT, idempotency_key="refund-42")
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as sql:

            async def call(query: Any, params: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
                return await (await sql.execute(query, params)).fetchone()

            async def begin(
                key: str, position: int, policy: tuple[Any, ...] = NO_RETRIES
            ) -> tuple[Any, ...] | None:
                return await call(_sql.BEGIN_STEP, (ctx.id, key, ctx.token, position, *policy))

            async def complete(key: str, output: Any) -> None:
                await call(_sql.COMPLETE_STEP, (ctx.id, key, ctx.token, json.dumps(output)))

            @workflow
            async def refund_order(ctx: PyWorkflow, order: dict[str, Any]) -> dict[str, Any]:
                assert ctx.token == 1
                await call(FREEZE_CLOCK)
                assert await begin("refund_card", 1, REFUND_POLICY) == ("EXECUTE", None, 1, 0)
                try:
                    raise GatewayTimeoutError("payment gateway timed out")
                except GatewayTimeoutError as exc:
                    error = _codec.error_text(exc)
                retrying = await call(
                    _sql.FAIL_STEP_ATTEMPT, (ctx.id, "refund_card", ctx.token, error, True)
                )
                assert retrying is not None and retrying[:2] == ("RETRYING", 1)
                assert 0.025 <= retrying[2] <= 0.05
                waiting = await begin("refund_card", 1, REFUND_POLICY)
                assert waiting is not None and waiting[:3] == ("WAIT", None, 1)
                assert waiting[3] == pytest.approx(retrying[2], abs=1e-5)
                await call(ADVANCE_CLOCK, (REFUND_POLICY[2],))
                assert await begin("refund_card", 1, REFUND_POLICY) == ("EXECUTE", None, 2, 0)
                await complete("refund_card", {"refund": "RF-1"})
                await sql.execute(RESET_CLOCK)

                with pytest.raises(psycopg.Error) as changed:
                    await begin("refund_wallet", 1)
                caught.append(changed.value.sqlstate)
                assert json.loads(changed.value.diag.message_detail or "") == {
                    "position": 1,
                    "called": "refund_wallet",
                    "recorded": "refund_card",
                }

                assert await begin("notify_customer", 2) == ("EXECUTE", None, 1, 0)
                await complete("notify_customer", {"notified": True})
                return {"refunded": order["amount_cents"], "refund": "RF-1"}

            output = await refund_order(ctx, REFUND_INPUT)
        assert output == {"refunded": 1999, "refund": "RF-1"}
        attempts = await admin.list_step_attempts(ctx.id)
        assert [
            (a.key, a.position, a.attempt, a.status, (a.error or {}).get("type")) for a in attempts
        ] == [
            ("refund_card", 1, 1, "FAILED", "payments.GatewayTimeoutError"),
            ("refund_card", 1, 2, "SUCCESS", None),
            ("notify_customer", 2, 1, "SUCCESS", None),
        ]
    return caught


# --- comparing the stored rows ----------------------------------------------------------------


def stored_rows(dsn: str) -> dict[str, list[dict[str, Any]]]:
    """Every column of pgqrs.workflows, pgqrs.steps and pgqrs.step_attempts, normalised so that
    two runs of the same scenario in two databases compare equal. Normalised, and only this:

    * workflow ids: each database makes its own random (time-ordered) ids. A workflow row drops
      ``id`` (its ``name`` is unique in the scenario); the ``workflow_id`` of a step or attempt
      row becomes the workflow's name.
    * timestamps (created_at, updated_at, started_at, finished_at, lease_expires_at, retry_at,
      attempt_started_at, ...): they come from the clock. Each becomes "set" or stays None, so
      whether it is set is still compared.
    * ``error.traceback``, where it is not null: the Python client stores its formatted
      traceback, Node its ``err.stack``. It becomes "<traceback>" once checked to be a non-empty
      string.
    * row order: workflows by name, steps by workflow and position (then key), attempts by
      workflow, key and attempt. Not by time: the scenario moves a session's clock.

    Owners, tokens, attempts, positions, policies, recoveries, statuses, idempotency keys, lease
    lengths, inputs, outputs and the other error fields are compared as they are.
    """
    with psycopg.connect(dsn, autocommit=True, row_factory=dict_row) as conn:
        workflows = conn.execute("select * from pgqrs.workflows order by name").fetchall()
        steps = conn.execute("select * from pgqrs.steps").fetchall()
        attempts = conn.execute("select * from pgqrs.step_attempts").fetchall()
    names = {w["id"]: w["name"] for w in workflows}
    assert len(set(names.values())) == len(names), "workflow names must be unique here"

    def normal(row: dict[str, Any], where: str) -> dict[str, Any]:
        row = {k: "set" if isinstance(v, datetime) else v for k, v in row.items()}
        if "workflow_id" in row:
            row["workflow_id"] = names[row["workflow_id"]]
        error = row.get("error")
        if isinstance(error, dict) and error.get("traceback") is not None:
            tb = error["traceback"]
            assert isinstance(tb, str) and tb.strip(), f"{where}: empty traceback in {row}"
            row["error"] = {**error, "traceback": "<traceback>"}
        return row

    out_workflows = []
    for w in workflows:
        w = normal(w, "workflows")
        del w["id"]
        out_workflows.append(w)
    out_steps = sorted(
        (normal(s, "steps") for s in steps),
        key=lambda s: (s["workflow_id"], s["position"] or 0, s["step_key"]),
    )
    out_attempts = sorted(
        (normal(a, "step_attempts") for a in attempts),
        key=lambda a: (a["workflow_id"], a["step_key"], a["attempt"]),
    )
    return {"workflows": out_workflows, "steps": out_steps, "step_attempts": out_attempts}


@pytest.fixture
def py_dsn(pg_server: Server, template_dsn: str) -> Iterator[str]:
    """A second fresh database from the pgqrs template, for the Python run."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    create_database(pg_server.dsn, name, template=str(conninfo_to_dict(template_dsn)["dbname"]))
    try:
        yield dsn_for(pg_server.dsn, name)
    finally:
        drop_database(pg_server.dsn, name)


@pytest.mark.no_proxy(reason="compares the rows of pgqrs's tables, and moves the clock")
def test_node_and_python_leave_the_same_rows(dsn: str, py_dsn: str) -> None:
    summary = json.loads(run_node([SCENARIO.name, node_url(dsn)]))
    assert summary["ok"] is True
    assert [c["code"] for c in summary["caught"]] == EXPECTED_CAUGHT

    assert asyncio.run(python_scenario(py_dsn)) == EXPECTED_CAUGHT

    node_rows = stored_rows(dsn)
    python_rows = stored_rows(py_dsn)
    assert node_rows == python_rows

    # The node run reported the workflows it made; and the rows, the same for both runs, are
    # what the scenario should leave.
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute("select name, id::text from pgqrs.workflows").fetchall()
    assert dict(rows) == {name: w["id"] for name, w in summary["workflows"].items()}
    assert [
        (w["name"], w["status"], w["lease_owner"], w["lease_token"], w["recoveries"])
        for w in python_rows["workflows"]
    ] == [
        ("charge_order", "SUCCESS", None, 2, 1),
        ("refund_order", "SUCCESS", None, 1, 0),
        ("ship_order", "FAILED", None, 3, 0),
    ]
    assert [
        (
            s["workflow_id"],
            s["step_key"],
            s["position"],
            s["status"],
            s["attempt"],
            s["lease_token"],
            s["owner"],
            s["policy"],
        )
        for s in python_rows["steps"]
    ] == [
        ("charge_order", "reserve_stock", 1, "SUCCESS", 1, 1, OWNER, None),
        ("charge_order", "charge_card", 2, "FAILED", 1, 1, OWNER, None),
        ("charge_order", "send_receipt", 3, "SUCCESS", 2, 2, OWNER, None),
        (
            "refund_order",
            "refund_card",
            1,
            "SUCCESS",
            2,
            1,
            OWNER,
            {"max_attempts": 2, "backoff": 0.05, "max_backoff": 0.05},
        ),
        ("refund_order", "notify_customer", 2, "SUCCESS", 1, 1, OWNER, None),
        ("ship_order", "pick_items", 1, "SUCCESS", 1, 1, OWNER, None),
        ("ship_order", "book_courier", 2, "FAILED", 2, 3, OWNER, None),
    ]
    # One row per failed attempt: charge_card and book_courier failed for good, refund_card's
    # first attempt was retried, and the attempts of send_receipt and book_courier that a
    # runner left behind (it crashed, or released the lease) are recorded as abandoned.
    abandoned = {
        "type": "pgqrs.Abandoned",
        "message": "the runner runner-1 stopped before recording an outcome",
        "traceback": None,
    }
    assert [
        (a["workflow_id"], a["step_key"], a["attempt"], a["owner"], a["error"])
        for a in python_rows["step_attempts"]
    ] == [
        (
            "charge_order",
            "charge_card",
            1,
            OWNER,
            {"type": None, "message": "card declined", "traceback": None},
        ),
        ("charge_order", "send_receipt", 1, OWNER, abandoned),
        (
            "refund_order",
            "refund_card",
            1,
            OWNER,
            {
                "type": "payments.GatewayTimeoutError",
                "message": "payment gateway timed out",
                "traceback": "<traceback>",
            },
        ),
        ("ship_order", "book_courier", 1, OWNER, abandoned),
        (
            "ship_order",
            "book_courier",
            2,
            OWNER,
            {"type": None, "message": "no courier available", "traceback": None},
        ),
    ]
    ship = python_rows["workflows"][2]
    assert ship["error"] == {
        "type": "shipping.NoCourierError",
        "message": "no courier for order 42",
        "traceback": "<traceback>",
    }


# --- the examples of docs/other-languages.md run as they are ----------------------------------


def _section_blocks(heading: str) -> list[tuple[str, str]]:
    """(language, text) of every fenced block in the ``## `` section of
    docs/other-languages.md named ``heading``."""
    text = OTHER_LANGUAGES.read_text(encoding="utf-8")
    sections = [s for s in re.split(r"^(?=## )", text, flags=re.MULTILINE) if s.strip()]
    matching = [s for s in sections if s.splitlines()[0].strip() == heading]
    assert len(matching) == 1, f"docs/other-languages.md: expected one {heading!r} section"
    return re.findall(r"^```(\w*)\n(.*?)^```$", matching[0], flags=re.MULTILINE | re.DOTALL)


def _example(heading: str, lang: str) -> tuple[str, str]:
    """The one ```lang block of a section, and the plain ``` block after it (its output)."""
    blocks = _section_blocks(heading)
    code = [i for i, (kind, _) in enumerate(blocks) if kind == lang]
    assert len(code) == 1, f"expected one ```{lang} block under {heading!r}, got {len(code)}"
    after = [text for kind, text in blocks[code[0] + 1 :] if kind == ""]
    assert after, f"expected the output of the example under {heading!r} in a ``` block"
    return blocks[code[0]][1], after[0]


def test_docs_psql_example_runs(dsn: str, tmp_path: Path) -> None:
    source, shown = _example("## Example: psql", "sql")
    proc = run_psql_script(dsn, source, tmp_path, quiet=False)
    lines = proc.stdout.splitlines()
    for line in shown.splitlines():
        assert line in lines, f"{line!r} is not in the output of the psql example:\n{proc.stdout}"
    # The answers and errors a client must handle, each shown: a retry, a replayed failure, a
    # busy workflow, a code change, a fenced write.
    for answer in ("RETRYING", "WAIT", "replayed charge_card: FAILED", "PQ002", "PQ010", "PQ003"):
        assert answer in shown


def test_docs_node_example_runs(dsn: str) -> None:
    source, shown = _example("## Example: Node.js", "js")
    # An ES module read from stdin, run in tests/node so that `import pg` resolves there.
    out = run_node(["--input-type=module", "-"], stdin=source, env={"PGQRS_DSN": node_url(dsn)})
    assert out == shown
