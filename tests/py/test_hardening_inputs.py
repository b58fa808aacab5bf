"""Issue 13, "bad input that is accepted and harms": a worker survives any single row, bounded
values and times are refused before anything is stored, and every bad argument or value raises
a named pgqrs exception (``except PgqrsError`` catches all of them)."""

from __future__ import annotations

import asyncio
import inspect
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from helpers import fetch, worker_on

import pgqrs
from pgqrs import PyWorkflow
from pgqrs.decorators import step, workflow


def nested(depth: int) -> Any:
    """A JSON value ``depth`` levels deep: [[[...]]]."""
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


def nested_text(depth: int) -> str:
    return "[" * depth + "]" * depth


@workflow
async def echo(ctx: PyWorkflow, x: Any) -> Any:
    return await passthrough(ctx, x)


@step
async def passthrough(ctx: PyWorkflow, x: Any) -> Any:
    return x


# --- a worker survives any single row -------------------------------------------------------------


def insert_legacy(dsn: str, name: str, *, input_text: str = "null", **columns: str) -> uuid.UUID:
    """A queued workflow inserted around the API, as a superuser (or an old release) could
    have stored it: ``columns`` are SQL expressions for more columns."""
    workflow_id = uuid.uuid4()
    names = ", ".join(["id", "name", "input", "created_at", "updated_at", "queued", *columns])
    values = ", ".join(["%s", "%s", "%s::jsonb", "now()", "now()", "true", *columns.values()])
    fetch(
        dsn,
        f"insert into pgqrs.workflows ({names}) values ({values})",
        (workflow_id, name, input_text),
    )
    return workflow_id


@pytest.mark.parametrize("where", ["input", "step output"])
def test_a_worker_sets_aside_a_workflow_nested_too_deep_to_decode(dsn: str, where: str) -> None:
    """A queued workflow whose input (or the output of a finished step) is nested 10,000 levels
    deep (valid JSON, stored around the API): the worker fails it for good with the reason and
    goes on with the next one of the same name (before, every worker serving the name died in
    its claim loop); reading it raises ValueTooDeepError, not RecursionError."""
    deep_text = nested_text(10_000)
    if where == "input":
        deep = insert_legacy(
            dsn, "echo", input_text=deep_text, available_at="now() - interval '1 minute'"
        )
    else:  # resumed after a step: the claim hands out that step in the replay snapshot
        deep = insert_legacy(
            dsn, "echo", status="'RUNNING'", available_at="now() - interval '1 minute'"
        )
        fetch(
            dsn,
            "insert into pgqrs.steps (workflow_id, step_key, status, output, lease_token,"
            " started_at, position) values (%s, 'passthrough', 'SUCCESS', %s::jsonb, 0, now(), 1)",
            (deep, deep_text),
        )

    async def main() -> None:
        async with worker_on(dsn, [echo], concurrency=1) as (_, _store, admin):
            ordinary = await admin.start_workflow(echo, {"n": 1})
            assert await ordinary.result(timeout=30) == {"n": 1}
            with pytest.raises(pgqrs.WorkflowFailedError) as failed:
                await admin.handle(deep).result(timeout=30)
            assert failed.value.error_type == "pgqrs.errors.ValueTooDeepError"
            assert "nested too deep" in (failed.value.error_message or "")
            if where == "input":
                with pytest.raises(pgqrs.ValueTooDeepError):
                    await admin.get_workflow(deep)
            else:
                with pytest.raises(pgqrs.ValueTooDeepError):
                    await admin.list_steps(deep)
            assert {w.id for w in await admin.list_workflows(status="FAILED")} == {deep}

    asyncio.run(main())
    rows = fetch(
        dsn,
        "select status, error -> 'retryable', queued from pgqrs.workflows where id = %s",
        (deep,),
    )
    assert rows == [("FAILED", False, True)]


def test_a_worker_survives_a_time_it_cannot_represent(dsn: str) -> None:
    """A suspended workflow of a served name whose wake time is 'infinity' (stored by an older
    release): the worker keeps claiming and running the others (before, next_claim_at's
    answer raised psycopg.DataError and the worker exited)."""
    insert_legacy(
        dsn, "echo", status="'RUNNING'", available_at="'infinity'", waiting_for="'message:x'"
    )

    async def main() -> None:
        async with worker_on(dsn, [echo], concurrency=1) as (_, _store, admin):
            for n in range(3):
                handle = await admin.start_workflow(echo, n)
                assert await handle.result(timeout=30) == n

    asyncio.run(main())


def test_deep_values_are_refused_before_anything_is_stored(dsn: str) -> None:
    """start_workflow with a value nested deeper than 256 levels raises ValueTooDeepError: one
    too deep for Python's encoder in the client, a shallower one by the SQL (PQ013)."""

    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            for depth in (10_000, 300):
                with pytest.raises(pgqrs.ValueTooDeepError):
                    await admin.start_workflow(echo, nested(depth))
            assert (await admin.start_workflow(echo, nested(200))).id is not None

    asyncio.run(main())
    assert fetch(dsn, "select count(*) from pgqrs.workflows") == [(1,)]


def test_times_out_of_range_are_refused_and_the_worker_keeps_running(dsn: str) -> None:
    """start_workflow(p_run_at => 'infinity') and suspend_workflow(p_until => 'infinity') raise
    PQ008 (InvalidArgumentError), as does a run_at past year 9999 from Python, and the worker
    serving that name goes on (before, both were stored, and the worker that read them
    exited)."""

    async def main() -> None:
        async with worker_on(dsn, [echo], concurrency=1) as (_, store, admin):
            with pytest.raises(pgqrs.InvalidArgumentError, match="run at"):
                await store.call(
                    "select * from pgqrs.start_workflow('echo', '1', p_run_at => 'infinity')"
                )
            with pytest.raises(pgqrs.InvalidArgumentError):
                await admin.start_workflow(echo, 1, run_at=datetime.max.replace(tzinfo=UTC))
            held = await admin.create_workflow("echo", 2)
            rows = await store.call(
                "select token from pgqrs.acquire_workflow(%s, 'holder', 30)", (held.id,)
            )
            for until in ("infinity", "-infinity"):
                with pytest.raises(pgqrs.InvalidArgumentError, match="suspend until"):
                    await store.call(
                        "select pgqrs.suspend_workflow(%s, %s, %s::timestamptz)",
                        (held.id, rows[0][0], until),
                    )
            handle = await admin.start_workflow(echo, 3)
            assert await handle.result(timeout=30) == 3

    asyncio.run(main())
    assert fetch(dsn, "select count(*) from pgqrs.workflows where available_at > '9999-01-01'") == [
        (0,)
    ]


# --- clean Python errors ---------------------------------------------------------------------


@workflow
async def probe(ctx: PyWorkflow, what: str) -> Any:
    """Calls the context API with one bad argument or value, chosen by ``what``."""
    if what == "event key":
        await ctx.set_event("stage\x00", 1)
    elif what == "topic":
        await ctx.recv("go\x00", timeout=0)
    elif what == "step key":
        await ctx.acquire_step("charge\x00")
    elif what == "sleep":
        await ctx.sleep(-1)
    elif what == "recv timeout":
        await ctx.recv("go", timeout=-1)
    elif what == "sleep until":
        await ctx.sleep_until(datetime(2030, 1, 1))
    elif what == "deep output":
        return await passthrough(ctx, nested(10_000))
    return None


PROBES = ["event key", "topic", "step key", "sleep", "recv timeout", "sleep until", "deep output"]


def clean_errors(
    store: pgqrs.Store, admin: pgqrs.Admin, workflow_id: uuid.UUID
) -> dict[str, Callable[[], Any]]:
    """Calls that each pass one bad argument or value, outside any workflow run."""
    return {
        "NUL in a workflow name": lambda: admin.create_workflow("echo\x00", 1),
        "NUL in a started workflow's name": lambda: admin.start_workflow("echo\x00", 1),
        "NUL in a topic": lambda: admin.send(workflow_id, "go\x00", 1),
        "NUL in an event key": lambda: admin.get_event(workflow_id, "stage\x00", timeout=1),
        "NUL in a worker name": lambda: pgqrs.Worker(store, [echo], name="w\x00").run(),
        "a negative lease": lambda: pgqrs.connect(store.dsn, lease_seconds=-1),
        "a negative timeout": lambda: admin.create_workflow("echo", 1, timeout=-1),
        "a negative start timeout": lambda: admin.start_workflow(echo, 1, timeout=-5),
        "a naive run_at": lambda: admin.start_workflow(echo, 1, run_at=datetime(2030, 1, 1)),
        "a deep input": lambda: admin.start_workflow(echo, nested(10_000)),
        "a deep message": lambda: admin.send(workflow_id, "go", nested(300)),
        "a worker of no concurrency": lambda: pgqrs.Worker(store, [echo], concurrency=0),
    }


def test_bad_arguments_raise_named_pgqrs_errors(dsn: str) -> None:
    """Each bad argument raises InvalidArgumentError, and each bad value InvalidValueError (or
    ValueTooDeepError), never a raw psycopg.DataError, RecursionError or plain ValueError:
    catching PgqrsError catches them all."""

    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            target = (await admin.create_workflow("target", None)).id
            for what, call in clean_errors(store, admin, target).items():
                with pytest.raises(pgqrs.PgqrsError) as caught:
                    result = call()
                    if inspect.isawaitable(result):
                        await result
                expected = (
                    pgqrs.ValueTooDeepError
                    if what.startswith("a deep")
                    else pgqrs.InvalidArgumentError
                )
                assert isinstance(caught.value, expected), (what, caught.value)
                assert not isinstance(caught.value.__cause__, RecursionError), what
            for what in PROBES:
                ctx = await admin.create_workflow("probe", what)
                with pytest.raises(pgqrs.PgqrsError) as caught:
                    await probe(ctx, what)
                expected = (
                    pgqrs.ValueTooDeepError if what == "deep output" else pgqrs.InvalidArgumentError
                )
                assert isinstance(caught.value, expected), (what, caught.value)

    asyncio.run(main())


@pytest.mark.parametrize(
    "decorate",
    [
        lambda: step(name="charge\x00")(passthrough),
        lambda: workflow(name="checkout\x00")(echo),
        lambda: step(timeout=-1)(passthrough),
        lambda: step(retries=-1)(passthrough),
        lambda: pgqrs.RetryPolicy(max_attempts=0),
    ],
    ids=[
        "NUL step name",
        "NUL workflow name",
        "negative step timeout",
        "negative retries",
        "no attempts",
    ],
)
def test_bad_decorator_options_raise_invalid_argument_error(decorate: Callable[[], Any]) -> None:
    with pytest.raises(pgqrs.InvalidArgumentError):
        decorate()


def test_a_nul_in_a_sync_call_is_an_invalid_argument_too(dsn: str) -> None:
    with pgqrs.connect_sync(dsn) as store, pytest.raises(pgqrs.InvalidArgumentError):
        pgqrs.admin(store).create_workflow("echo\x00", 1)
    with pytest.raises(pgqrs.InvalidArgumentError):
        pgqrs.connect_sync(dsn, lease_seconds=0)
