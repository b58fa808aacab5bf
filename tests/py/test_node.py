"""The protocol from another language: Node.js against the Python client.

tests/node/scenario.mjs drives two workflows through the SQL API with the `pg` package from npm;
``python_scenario`` below runs the same scenario with the Python client's low-level API
(``acquire_step``, ``guard.success``/``guard.fail``, a second run for the replay). Each runs in its
own fresh database, with the same workflow names, inputs, idempotency keys, step keys, values,
runner ids (lease owners) and lease length, and the test checks that they leave the same rows in
pgqrs.workflows and pgqrs.steps.

The scenario, for both:

* charge_order: created (and created again with the same idempotency key); run 1 as runner-1:
  reserve_stock succeeds, charge_card fails, send_receipt is acquired and then the runner
  "crashes"; runner-2 finds the workflow busy (PQ002); run 2, runner-1 restarted: reserve_stock
  replays, charge_card raises its stored failure (PQ004), a late write of run 1 is fenced out
  (PQ003), send_receipt runs again and the workflow succeeds; acquiring it again returns the
  output and runs nothing.
* ship_order: run 1: pick_items succeeds, a heartbeat, book_courier is acquired, then the lease is
  released (a graceful shutdown) and a late write with the released token is fenced out (PQ003);
  run 2: pick_items replays, book_courier fails, the workflow fails; a replay returns the error.

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
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row

import pgqrs
from pgqrs import PyWorkflow
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
# The SQLSTATEs each scenario must catch, in order: busy, replayed failed step, two fenced writes.
EXPECTED_CAUGHT = ["PQ002", "PQ004", "PQ003", "PQ003"]


class NoCourierError(Exception):
    """ship_order's own failure. Stored with type "shipping.NoCourierError" (the Python client
    writes "module.ClassName"), which is the name scenario.mjs gives its error class."""

    __module__ = "shipping"


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
    return caught


# --- comparing the stored rows ----------------------------------------------------------------


def stored_rows(dsn: str) -> dict[str, list[dict[str, Any]]]:
    """Every column of pgqrs.workflows and pgqrs.steps, normalised so that two runs of the same
    scenario in two databases compare equal. Normalised, and only this:

    * workflow ids: each database makes its own random (time-ordered) ids. A workflow row drops
      ``id`` (its ``name`` is unique in the scenario) and a step row's ``workflow_id`` becomes
      the workflow's name.
    * timestamps (created_at, updated_at, started_at, finished_at, lease_expires_at): they come
      from the clock. Each becomes "set" or stays None, so whether it is set is still compared.
    * ``error.traceback`` of a workflow: the Python client stores its formatted traceback, Node
      its ``err.stack``. It becomes "<traceback>" once checked to be a non-empty string.

    Owners, tokens, attempts, recoveries, statuses, idempotency keys, lease lengths, inputs,
    outputs and the other error fields are compared as they are.
    """
    with psycopg.connect(dsn, autocommit=True, row_factory=dict_row) as conn:
        workflows = conn.execute("select * from pgqrs.workflows order by name").fetchall()
        steps = conn.execute(
            "select * from pgqrs.steps order by started_at, step_key, workflow_id"
        ).fetchall()
    names = {w["id"]: w["name"] for w in workflows}
    assert len(set(names.values())) == len(names), "workflow names must be unique here"

    def normal(row: dict[str, Any]) -> dict[str, Any]:
        return {k: "set" if isinstance(v, datetime) else v for k, v in row.items()}

    out_workflows = []
    for w in workflows:
        w = normal(w)
        del w["id"]
        if isinstance(w["error"], dict) and "traceback" in w["error"]:
            tb = w["error"]["traceback"]
            assert isinstance(tb, str) and tb.strip(), f"{w['name']}: empty traceback"
            w["error"] = {**w["error"], "traceback": "<traceback>"}
        out_workflows.append(w)
    out_steps = []
    for s in steps:
        s = normal(s)
        s["workflow_id"] = names[s["workflow_id"]]
        out_steps.append(s)
    return {"workflows": out_workflows, "steps": out_steps}


@pytest.fixture
def py_dsn(pg_server: Server, template_dsn: str) -> Iterator[str]:
    """A second fresh database from the pgqrs template, for the Python run."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    create_database(pg_server.dsn, name, template=str(conninfo_to_dict(template_dsn)["dbname"]))
    try:
        yield dsn_for(pg_server.dsn, name)
    finally:
        drop_database(pg_server.dsn, name)


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
    ] == [("charge_order", "SUCCESS", None, 2, 1), ("ship_order", "FAILED", None, 3, 0)]
    assert [
        (s["workflow_id"], s["step_key"], s["status"], s["attempt"], s["lease_token"])
        for s in python_rows["steps"]
    ] == [
        ("charge_order", "reserve_stock", "SUCCESS", 1, 1),
        ("charge_order", "charge_card", "FAILED", 1, 1),
        ("charge_order", "send_receipt", "SUCCESS", 2, 2),
        ("ship_order", "pick_items", "SUCCESS", 1, 1),
        ("ship_order", "book_courier", "FAILED", 2, 3),
    ]
    ship = python_rows["workflows"][1]
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
    psql = shutil.which("psql")
    if psql is None:
        pytest.fail("psql not found on PATH: install the PostgreSQL client (postgresql-client)")
    source, shown = _example("## Example: psql", "sql")
    script = tmp_path / "example.sql"
    script.write_text(source, encoding="utf-8")
    proc = subprocess.run(
        [psql, "-X", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-f", str(script)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout
    lines = proc.stdout.splitlines()
    for line in shown.splitlines():
        assert line in lines, f"{line!r} is not in the output of the psql example:\n{proc.stdout}"
    for code in ("PQ002", "PQ004", "PQ003"):
        assert code in shown


def test_docs_node_example_runs(dsn: str) -> None:
    source, shown = _example("## Example: Node.js", "js")
    # An ES module read from stdin, run in tests/node so that `import pg` resolves there.
    out = run_node(["--input-type=module", "-"], stdin=source, env={"PGQRS_DSN": node_url(dsn)})
    assert out == shown
