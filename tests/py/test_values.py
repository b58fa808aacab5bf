"""Bad input gets a clear, named error, and never corrupts the stored state."""

from __future__ import annotations

import asyncio
import math
import uuid
from typing import Any

import pytest

import pgqrs
from pgqrs import PyWorkflow
from pgqrs.decorators import step, workflow

BAD_VALUES: list[tuple[str, Any, str]] = [
    ("not serializable", object(), "not JSON-serializable"),
    ("set", {1, 2}, "not JSON-serializable"),
    ("nan", {"x": math.nan}, "not valid JSON"),
    ("infinity", [math.inf], "not valid JSON"),
    ("nul", {"s": "a\x00b"}, "NUL character"),
    ("nul in key", {"a\x00": 1}, "NUL character"),
]


@step
async def produce(ctx: PyWorkflow, which: int) -> Any:
    return BAD_VALUES[which][1]


@workflow
async def producer(ctx: PyWorkflow, which: int) -> Any:
    return await produce(ctx, which)


@pytest.mark.parametrize("which", range(len(BAD_VALUES)), ids=[b[0] for b in BAD_VALUES])
def test_bad_step_result_fails_the_step_with_a_named_error(dsn: str, which: int) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            ctx = await admin.create_workflow("producer", which)
            with pytest.raises(pgqrs.InvalidValueError) as caught:
                await producer(ctx, which)
            assert "output of step 'produce'" in str(caught.value)
            assert BAD_VALUES[which][2] in str(caught.value)
            steps = await admin.list_steps(ctx.id)
            assert [(s.key, s.status) for s in steps] == [("produce", "FAILED")]
            assert steps[0].output is None
            assert steps[0].error is not None
            assert steps[0].error["type"] == "pgqrs.errors.InvalidValueError"
            info = await admin.get_workflow(ctx.id)
            assert info.status == "FAILED"
            assert info.output is None

    asyncio.run(main())


def test_bad_literal_step_value_via_guard(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            ctx = await pgqrs.admin(store).create_workflow("w")
            s = await ctx.acquire_step("s")
            assert s.guard is not None
            with pytest.raises(pgqrs.InvalidValueError, match=r"NaN|not valid JSON"):
                await s.guard.success(math.nan)
            assert [(x.key, x.status) for x in await ctx.steps()] == [("s", "FAILED")]

    asyncio.run(main())


@workflow
async def returns_bad(ctx: PyWorkflow) -> Any:
    return {"when": math.inf}


def test_bad_workflow_output_fails_the_workflow(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            ctx = await admin.create_workflow("returns_bad")
            with pytest.raises(pgqrs.InvalidValueError, match="output of workflow"):
                await returns_bad(ctx)
            info = await admin.get_workflow(ctx.id)
            assert info.status == "FAILED"
            assert info.error is not None
            assert info.error["type"] == "pgqrs.errors.InvalidValueError"

    asyncio.run(main())


@pytest.mark.parametrize("which", range(len(BAD_VALUES)), ids=[b[0] for b in BAD_VALUES])
def test_bad_workflow_input_stores_nothing(dsn: str, which: int) -> None:
    with pgqrs.connect_sync(dsn) as store:
        with pytest.raises(pgqrs.InvalidValueError, match="input of workflow 'w'"):
            pgqrs.admin(store).create_workflow("w", BAD_VALUES[which][1])
        assert store.call("select count(*) from pgqrs.workflows")[0][0] == 0


def test_payload_limit_is_enforced_in_sql(dsn: str) -> None:
    limited = f"{dsn} options='-c pgqrs.max_payload_bytes=2000'"

    async def main() -> None:
        async with await pgqrs.connect(limited) as store:
            admin = pgqrs.admin(store)
            with pytest.raises(pgqrs.PayloadTooLargeError) as caught:
                await admin.create_workflow("w", "x" * 5000)
            assert caught.value.sqlstate == "PQ007"
            ctx = await admin.create_workflow("w", "small")
            s = await ctx.acquire_step("big")
            assert s.guard is not None
            with pytest.raises(pgqrs.PayloadTooLargeError, match="output of step big"):
                await s.guard.success("y" * 5000)
            # Never half-written: the step is FAILED with that error, and holds no output.
            steps = await ctx.steps()
            assert [(x.key, x.status, x.output) for x in steps] == [("big", "FAILED", None)]
            assert steps[0].error is not None
            assert steps[0].error["type"] == "pgqrs.errors.PayloadTooLargeError"
            # A value under the limit is stored.
            s = await ctx.acquire_step("small")
            assert s.guard is not None
            await s.guard.success("y" * 100)
            assert (await ctx.steps())[1].status == "SUCCESS"

    asyncio.run(main())


@workflow
async def big_result(ctx: PyWorkflow) -> Any:
    return await big_step(ctx)


@step
async def big_step(ctx: PyWorkflow) -> str:
    return "z" * 5000


def test_oversized_step_result_fails_the_step(dsn: str) -> None:
    limited = f"{dsn} options='-c pgqrs.max_payload_bytes=2000'"

    async def main() -> None:
        async with await pgqrs.connect(limited) as store:
            admin = pgqrs.admin(store)
            ctx = await admin.create_workflow("big_result")
            with pytest.raises(pgqrs.PayloadTooLargeError):
                await big_result(ctx)
            steps = await admin.list_steps(ctx.id)
            assert [(s.key, s.status) for s in steps] == [("big_step", "FAILED")]
            assert steps[0].error is not None
            assert steps[0].error["type"] == "pgqrs.errors.PayloadTooLargeError"
            assert (await admin.get_workflow(ctx.id)).status == "FAILED"

    asyncio.run(main())


@pytest.mark.parametrize("name", ["", "   ", "n" * 256])
def test_bad_workflow_names(dsn: str, name: str) -> None:
    with pgqrs.connect_sync(dsn) as store:
        with pytest.raises(pgqrs.InvalidArgumentError) as caught:
            pgqrs.admin(store).create_workflow(name)
        assert caught.value.sqlstate == "PQ008"


@pytest.mark.parametrize("name", ["", "k" * 600])
def test_bad_step_names(dsn: str, name: str) -> None:
    with pgqrs.connect_sync(dsn) as store:
        ctx = pgqrs.admin(store).create_workflow("w")
        with pytest.raises(pgqrs.InvalidArgumentError):
            ctx.acquire_step(name)
        assert ctx.steps() == []


def test_unknown_and_malformed_ids(dsn: str) -> None:
    with pgqrs.connect_sync(dsn) as store:
        admin = pgqrs.admin(store)
        with pytest.raises(pgqrs.WorkflowNotFoundError) as caught:
            admin.workflow(uuid.uuid4())
        assert caught.value.sqlstate == "PQ001"
        with pytest.raises(pgqrs.WorkflowNotFoundError):
            admin.list_steps(str(uuid.uuid4()))
        with pytest.raises(pgqrs.InvalidArgumentError, match="not a valid workflow id"):
            admin.get_workflow("not-a-uuid")


def test_wrong_state_calls(dsn: str) -> None:
    with pgqrs.connect_sync(dsn) as store:
        ctx = pgqrs.admin(store).create_workflow("w")
        s = ctx.acquire_step("s")
        assert s.guard is not None
        s.guard.success(1)
        s.guard.success(1)  # an exact repeat is a no-op (safe to retry)
        with pytest.raises(pgqrs.InvalidStateError):
            s.guard.success(2)
        with pytest.raises(pgqrs.InvalidStateError):
            s.guard.fail("late failure")
        assert [(x.status, x.output) for x in ctx.steps()] == [("SUCCESS", 1)]


def test_idempotency_key_and_id(dsn: str) -> None:
    with pgqrs.connect_sync(dsn) as store:
        admin = pgqrs.admin(store)
        a = admin.create_workflow("w", {"n": 1}, idempotency_key="order-17")
        b = admin.create_workflow("w", {"n": 1}, idempotency_key="order-17")
        assert a.id == b.id
        with pytest.raises(pgqrs.IdempotencyConflictError):
            admin.create_workflow("w", {"n": 2}, idempotency_key="order-17")
        chosen = uuid.uuid4()
        c = admin.create_workflow("w", 5, id=chosen)
        assert c.id == chosen
        assert admin.create_workflow("w", 5, id=chosen).id == chosen
        with pytest.raises(pgqrs.IdempotencyConflictError):
            admin.create_workflow("other", 5, id=chosen)
        assert store.call("select count(*) from pgqrs.workflows")[0][0] == 2
