"""Step identity, replay and failure semantics, through the async and the sync API."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import pgqrs
from pgqrs import PyWorkflow, SyncWorkflow
from pgqrs.decorators import step, workflow

ran: list[str] = []


@step
async def square(ctx: PyWorkflow, x: int) -> int:
    ran.append(f"square({x})")
    return x * x


@workflow
async def squares(ctx: PyWorkflow, n: int) -> list[int]:
    return [await square(ctx, i) for i in range(n)]


@step
def square_sync(ctx: SyncWorkflow, x: int) -> int:
    ran.append(f"square_sync({x})")
    return x * x


@workflow
def squares_sync(ctx: SyncWorkflow, n: int) -> list[int]:
    return [square_sync(ctx, i) for i in range(n)]


@pytest.fixture(autouse=True)
def _clear() -> None:
    ran.clear()


def test_loop_gets_distinct_keys_and_values(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            ctx = await admin.create_workflow("squares", 4)
            assert await squares(ctx, 4) == [0, 1, 4, 9]
            steps = await admin.list_steps(ctx.id)
            assert [(s.key, s.output) for s in steps] == [
                ("square", 0),
                ("square#2", 1),
                ("square#3", 4),
                ("square#4", 9),
            ]

    asyncio.run(main())


def test_sync_loop_gets_distinct_keys_and_values(dsn: str) -> None:
    with pgqrs.connect_sync(dsn) as store:
        admin = pgqrs.admin(store)
        ctx = admin.create_workflow("squares_sync", 3)
        assert squares_sync(ctx, 3) == [0, 1, 4]
        assert [s.key for s in admin.list_steps(ctx.id)] == [
            "square_sync",
            "square_sync#2",
            "square_sync#3",
        ]
        assert squares_sync(ctx, 3) == [0, 1, 4]
        assert ran == ["square_sync(0)", "square_sync(1)", "square_sync(2)"]


@step
async def flaky(ctx: PyWorkflow, fail: bool) -> str:
    ran.append("flaky")
    if fail:
        raise KeyError("missing thing")
    return "ok"


@workflow
async def half_done(ctx: PyWorkflow, fail: bool) -> str:
    a = await square(ctx, 3)
    b = await flaky(ctx, fail)
    return f"{a}-{b}"


def test_step_failure_is_stored_and_propagates(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            ctx = await admin.create_workflow("half_done", True)
            with pytest.raises(KeyError, match="missing thing"):
                await half_done(ctx, True)
            steps = {s.key: s for s in await admin.list_steps(ctx.id)}
            assert steps["square"].status == "SUCCESS"
            assert steps["flaky"].status == "FAILED"
            error = steps["flaky"].error
            assert error is not None
            assert error["type"] == "KeyError"
            assert error["message"] == "'missing thing'"
            assert "raise KeyError" in error["traceback"]

            info = await admin.get_workflow(ctx.id)
            assert info.status == "FAILED"
            assert info.error is not None and info.error["type"] == "KeyError"

            # Re-running replays the failure deterministically, without running anything.
            ran.clear()
            with pytest.raises(pgqrs.WorkflowFailedError) as caught:
                await half_done(ctx, True)
            assert caught.value.error_type == "KeyError"
            assert caught.value.error_message == "'missing thing'"
            assert "raise KeyError" in (caught.value.remote_traceback or "")
            assert ran == []

    asyncio.run(main())


def test_failed_step_replays_as_step_failed_when_workflow_unfinished(dsn: str) -> None:
    """A workflow that crashed after a step failed, before recording its own failure."""

    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            ctx = await admin.create_workflow("half_done", True)
            s = await ctx.acquire_step("square")
            assert s.guard is not None
            await s.guard.success(9)
            s = await ctx.acquire_step("flaky")
            assert s.guard is not None
            try:
                raise KeyError("missing thing")
            except KeyError as exc:
                await s.guard.fail(exc)
            # ...the process dies here. A new run replays: square is skipped, flaky re-raises.
            ran.clear()
            ctx2 = await admin.workflow(ctx.id)
            with pytest.raises(pgqrs.StepFailedError) as caught:
                await half_done(ctx2, *ctx2.args)
            assert caught.value.step_key == "flaky"
            assert caught.value.error_type == "KeyError"
            assert ran == []
            assert (await admin.get_workflow(ctx.id)).status == "FAILED"

    asyncio.run(main())


@step(name="custom name")
async def renamed(ctx: PyWorkflow) -> dict[str, Any]:
    return {"t": (1, 2), 3: "x"}


@workflow
async def uses_renamed(ctx: PyWorkflow) -> Any:
    return await renamed(ctx)


def test_explicit_name_and_json_roundtrip_on_first_run(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            ctx = await admin.create_workflow("uses_renamed")
            first = await uses_renamed(ctx)
            # The first run returns what a replay will return: the JSON round trip.
            assert first == {"t": [1, 2], "3": "x"}
            assert [s.key for s in await admin.list_steps(ctx.id)] == ["custom name"]
            assert await uses_renamed(ctx) == first

    asyncio.run(main())


def test_replay_serves_finished_steps_without_running_them(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            ctx = await admin.create_workflow("half_done", False)
            s = await ctx.acquire_step("square")  # the first step half_done calls
            assert s.guard is not None
            await s.guard.success(0)
            ran.clear()
            ctx2 = await admin.workflow(ctx.id)
            assert await half_done(ctx2, False) == "0-ok"
            assert ran == ["flaky"]

    asyncio.run(main())


def test_wrong_context_kind_is_a_clear_type_error(dsn: str) -> None:
    with pgqrs.connect_sync(dsn) as store:
        ctx = pgqrs.admin(store).create_workflow("squares", 1)
        with pytest.raises(TypeError, match="needs a PyWorkflow"):
            asyncio.run(squares(ctx, 1))  # type: ignore[arg-type]


def test_hash_in_step_name_is_rejected() -> None:
    with pytest.raises(pgqrs.InvalidArgumentError, match="may not contain '#'"):

        @step(name="a#2")
        async def bad(ctx: PyWorkflow) -> None: ...
