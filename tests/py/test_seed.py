"""The original pgqrs API, verbatim: users of the Rust library's Python binding run this code
unchanged."""

from __future__ import annotations

import asyncio

import pgqrs
from pgqrs import PyWorkflow
from pgqrs.decorators import step, workflow

calls: list[str] = []


@step
async def fetch_data(ctx: PyWorkflow, url: str) -> str:
    # ... logic ...
    calls.append(url)
    return "data"


@workflow
async def data_pipeline(ctx: PyWorkflow, url: str) -> str:
    data = await fetch_data(ctx, url)
    return data


def test_seed_decorators_run_and_replay(empty_dsn: str) -> None:
    async def main() -> None:
        store = await pgqrs.connect(empty_dsn)
        admin = pgqrs.admin(store)
        await admin.install()
        ctx = await admin.create_workflow("data_pipeline", "http://example.com")
        result = await data_pipeline(ctx, "http://example.com")
        assert result == "data"
        assert calls == ["http://example.com"]

        # Re-running a SUCCESS workflow returns the stored output without running any step.
        again = await data_pipeline(ctx, "http://example.com")
        assert again == "data"
        assert calls == ["http://example.com"]

        info = await admin.get_workflow(ctx.id)
        assert info.status == "SUCCESS"
        assert info.output == "data"
        assert info.input == "http://example.com"
        assert [(s.key, s.status, s.output) for s in await admin.list_steps(ctx.id)] == [
            ("fetch_data", "SUCCESS", "data")
        ]
        await store.close()

    calls.clear()
    asyncio.run(main())


def do_work() -> dict[str, int]:
    return {"answer": 42}


async def low_level(ctx: PyWorkflow) -> object:
    step = await ctx.acquire_step("step_name")
    if step.status == "SKIPPED":
        return step.value
    elif step.status == "EXECUTE":
        try:
            res = do_work()
            await step.guard.success(res)  # type: ignore[union-attr]
            return res
        except Exception as e:
            await step.guard.fail(str(e))  # type: ignore[union-attr]
            raise


def test_seed_low_level_on_fresh_context(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            ctx = await admin.create_workflow("low_level", {"x": 1})
            # No other call first: the first acquire starts the workflow implicitly.
            assert await low_level(ctx) == {"answer": 42}
            info = await admin.get_workflow(ctx.id)
            assert info.status == "RUNNING"
            assert info.lease_owner == store.runner_id

            # A new context (as in a new process) sees the step as SKIPPED with its value.
            ctx2 = await admin.workflow(ctx.id)
            step = await ctx2.acquire_step("step_name")
            assert step.status == "SKIPPED"
            assert step.value == {"answer": 42}
            assert step.guard is None

    asyncio.run(main())


def test_seed_low_level_fail_records_failure(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            ctx = await admin.create_workflow("low_level_fail", None)
            step = await ctx.acquire_step("step_name")
            assert step.status == "EXECUTE" and step.guard is not None
            await step.guard.fail("it broke")
            steps = await admin.list_steps(ctx.id)
            assert [(s.key, s.status) for s in steps] == [("step_name", "FAILED")]
            assert steps[0].error == {"type": None, "message": "it broke", "traceback": None}

            ctx2 = await admin.workflow(ctx.id)
            try:
                await ctx2.acquire_step("step_name")
            except pgqrs.StepFailedError as exc:
                assert exc.error_message == "it broke"
                assert exc.sqlstate == "PQ004"
            else:
                raise AssertionError("a failed step must raise StepFailedError on acquire")

    asyncio.run(main())
