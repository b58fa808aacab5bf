"""Prometheus metrics and OpenTelemetry spans (docs/observability.md).

The metrics registry is the process's; each test uses workflow names of its own, so counts from
other tests do not mix in, and turns metrics off again at its end. The spans go to an in-memory
exporter of a TracerProvider installed for the test only (the API's global is restored after).
"""

from __future__ import annotations

import asyncio
import re
import urllib.request
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from helpers import worker_on

import pgqrs
from pgqrs import PyWorkflow, SyncWorkflow, _metrics, _observe
from pgqrs.decorators import step, workflow

otel_trace = pytest.importorskip("opentelemetry.trace")
sdk_trace = pytest.importorskip("opentelemetry.sdk.trace")
sdk_export = pytest.importorskip("opentelemetry.sdk.trace.export")
in_memory = pytest.importorskip("opentelemetry.sdk.trace.export.in_memory_span_exporter")


@pytest.fixture
def metrics_on() -> Iterator[None]:
    was = _metrics._enabled
    _metrics.enable()
    yield
    _metrics._enabled = was


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An in-memory exporter behind a TracerProvider that pgqrs finds as the application's."""
    exporter = in_memory.InMemorySpanExporter()
    provider = sdk_trace.TracerProvider()
    provider.add_span_processor(sdk_export.SimpleSpanProcessor(exporter))
    monkeypatch.setattr(otel_trace, "_TRACER_PROVIDER", provider)
    yield exporter
    provider.shutdown()


# --- the exposition format ---------------------------------------------------------------------


def test_exposition_of_counters_gauges_and_histograms() -> None:
    counter = _metrics.Counter("t_total", "A counter.", ("name",))
    counter.inc('a "quoted"\nname')
    counter.inc('a "quoted"\nname', amount=2)
    gauge = _metrics.Gauge("t_gauge", "A gauge.", ("worker",))
    gauge.set(lambda: 3, "w1")
    histogram = _metrics.Histogram("t_seconds", "A histogram.", ("name",), buckets=(0.1, 1))
    for value in (0.05, 0.5, 5):
        histogram.observe(value, "x")
    text = "\n".join(counter.lines() + gauge.lines() + histogram.lines())
    assert text == "\n".join(
        [
            "# HELP t_total A counter.",
            "# TYPE t_total counter",
            't_total{name="a \\"quoted\\"\\nname"} 3',
            "# HELP t_gauge A gauge.",
            "# TYPE t_gauge gauge",
            't_gauge{worker="w1"} 3',
            "# HELP t_seconds A histogram.",
            "# TYPE t_seconds histogram",
            't_seconds_bucket{name="x",le="0.1"} 1',
            't_seconds_bucket{name="x",le="1"} 2',
            't_seconds_bucket{name="x",le="+Inf"} 3',
            't_seconds_sum{name="x"} 5.55',
            't_seconds_count{name="x"} 3',
        ]
    )
    with pytest.raises(ValueError, match="takes labels"):
        counter.inc()


def test_hooks_record_nothing_while_metrics_and_tracing_are_off() -> None:
    assert not _metrics.enabled()
    assert _observe.start_run("t_off", __import__("uuid").uuid4(), 1, False) is None
    before = _metrics.STEP_SECONDS.count("t_off", "s", "SUCCESS")
    with _observe.step("t_off", __import__("uuid").uuid4(), "s", 1):
        pass
    assert _metrics.STEP_SECONDS.count("t_off", "s", "SUCCESS") == before


# --- a worker's metrics ------------------------------------------------------------------------

flaky: dict[str, int] = {}


@step(retries=2, backoff=0.01)
async def m_flaky(ctx: PyWorkflow) -> str:
    seen = flaky.get(str(ctx.id), 0)
    flaky[str(ctx.id)] = seen + 1
    if seen == 0:
        raise ConnectionError("try again")
    return "ok"


@workflow
async def m_flow(ctx: PyWorkflow, fail: bool) -> str:
    value = await m_flaky(ctx)
    if fail:
        raise RuntimeError("failed on purpose")
    return value


def _scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        assert response.headers["Content-Type"] == _metrics.CONTENT_TYPE
        return str(response.read().decode())


def _value(text: str, sample: str) -> float:
    found = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.M)
    assert found is not None, f"no {sample} in:\n{text}"
    return float(found.group(1))


def test_worker_serves_its_metrics(dsn: str) -> None:
    async def main() -> str:
        async with await pgqrs.connect(dsn, runner_id="metrics-w") as store:
            admin = pgqrs.admin(store)
            worker = pgqrs.Worker(store, [m_flow], concurrency=2, metrics_port=0)
            task = asyncio.create_task(worker.run())
            try:
                ok = await admin.start_workflow(m_flow, False)
                bad = await admin.start_workflow(m_flow, True)
                assert await ok.result(timeout=30) == "ok"
                with pytest.raises(pgqrs.WorkflowFailedError):
                    await bad.result(timeout=30)
                assert worker.metrics_port
                # A result is visible as soon as the outcome commits; the run's own end (its
                # metrics) follows in the worker a moment later.
                for _ in range(500):
                    text = await asyncio.to_thread(_scrape, worker.metrics_port)
                    if 'name="m_flow",outcome="FAILED"' in text and 'outcome="SUCCESS"' in text:
                        break
                    await asyncio.sleep(0.01)
                return text
            finally:
                worker.stop()
                await task

    was = _metrics._enabled
    try:
        text = asyncio.run(main())
    finally:
        _metrics._enabled = was
    assert _value(text, 'pgqrs_workflow_runs_started_total{name="m_flow"}') == 2
    assert _value(text, 'pgqrs_workflow_runs_finished_total{name="m_flow",outcome="SUCCESS"}') == 1
    assert _value(text, 'pgqrs_workflow_runs_finished_total{name="m_flow",outcome="FAILED"}') == 1
    assert _value(text, 'pgqrs_step_retries_total{workflow="m_flow",step="m_flaky"}') == 2
    assert (
        _value(text, 'pgqrs_step_seconds_count{workflow="m_flow",step="m_flaky",outcome="FAILED"}')
        == 2
    )
    assert (
        _value(text, 'pgqrs_step_seconds_count{workflow="m_flow",step="m_flaky",outcome="SUCCESS"}')
        == 2
    )
    assert _value(text, 'pgqrs_workflows_claimed_total{worker="metrics-w",name="m_flow"}') == 2
    assert _value(text, 'pgqrs_claim_seconds_count{worker="metrics-w"}') >= 1
    assert _value(text, 'pgqrs_worker_concurrency{worker="metrics-w"}') == 2
    assert 'pgqrs_worker_running{worker="metrics-w"}' in text


def test_lease_takeovers_are_counted(dsn: str, metrics_on: None) -> None:
    # A workflow claimed by a worker that "died": its lease is expired by hand (superuser),
    # so the next claim is a recovery.
    @workflow
    async def m_recovered(ctx: PyWorkflow, _input: Any = None) -> int:
        return 1

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("select pgqrs.register_worker('dead-w', array['m_recovered'], 1)")
        conn.execute("select pgqrs.start_workflow('m_recovered')")
        conn.execute("select * from pgqrs.claim('dead-w', gen_random_uuid(), 1, 30)")
        conn.execute("update pgqrs.workflows set lease_expires_at = now() - interval '1 second'")
    before = _metrics.LEASE_TAKEOVERS.value("m_recovered")

    async def main() -> None:
        async with worker_on(dsn, [m_recovered]) as (_worker, store, admin):
            rows = await store.call("SELECT id FROM pgqrs.list_workflows(p_limit => 1)")
            assert await admin.handle(rows[0][0]).result(timeout=30) == 1

    asyncio.run(main())
    assert _metrics.LEASE_TAKEOVERS.value("m_recovered") == before + 1


# --- spans ---------------------------------------------------------------------------------------


@step
async def t_first(ctx: PyWorkflow) -> int:
    return 1


tries: dict[str, int] = {}


@step(retries=1, backoff=0.01)
async def t_second(ctx: PyWorkflow) -> int:
    seen = tries.get(str(ctx.id), 0)
    tries[str(ctx.id)] = seen + 1
    if seen == 0:
        raise ConnectionError("once")
    return 2


@workflow
async def t_child(ctx: PyWorkflow, n: int) -> int:
    return n * 10


@workflow
async def t_parent(ctx: PyWorkflow, _input: Any = None) -> int:
    a = await t_first(ctx)
    b = await t_second(ctx)
    child = await ctx.start_child(t_child, a + b)
    return int(await child.result())


@step
def t_sync_step(ctx: SyncWorkflow) -> str:
    return "sync"


@workflow
def t_sync(ctx: SyncWorkflow, _input: Any = None) -> str:
    return t_sync_step(ctx)


def test_spans_continue_the_trace_of_the_code_that_started_the_workflow(
    dsn: str, spans: Any
) -> None:
    tracer = otel_trace.get_tracer_provider().get_tracer("test")

    async def main() -> tuple[str, str]:
        async with worker_on(dsn, [t_parent, t_child, t_sync]) as (_worker, store, admin):
            with tracer.start_as_current_span("http request") as request:
                handle = await admin.start_workflow(t_parent)
                sync_handle = await admin.start_workflow(t_sync)
            stored = (
                await store.call(
                    "SELECT pgqrs.trace_context(p_workflow_id => %s::uuid)", (handle.id,)
                )
            )[0][0]
            context = request.get_span_context()
            flags = int(context.trace_flags)
            assert stored == f"00-{context.trace_id:032x}-{context.span_id:016x}-{flags:02x}"
            assert await handle.result(timeout=30) == 30
            assert await sync_handle.result(timeout=30) == "sync"
            return str(handle.id), str(sync_handle.id)

    parent_id, sync_id = asyncio.run(main())
    finished = spans.get_finished_spans()
    by_name: dict[str, list[Any]] = {}
    for span in finished:
        by_name.setdefault(span.name, []).append(span)
    request = by_name["http request"][0]
    trace_id = request.context.trace_id
    # Every span of the run, the child's and the sync workflow's are in the request's trace.
    assert {s.context.trace_id for s in finished} == {trace_id}
    runs = by_name["workflow t_parent"]
    # One span per run: the parent either waited for its child in process, or suspended while
    # the child ran and ran again, replaying its steps (which makes no step spans).
    outcomes = [s.attributes["pgqrs.outcome"] for s in runs]
    assert outcomes in (["SUCCESS"], ["SUSPENDED", "SUCCESS"]), outcomes
    assert all(s.parent.span_id == request.context.span_id for s in runs)
    assert all(s.attributes["pgqrs.workflow.id"] == parent_id for s in runs)
    run_ids = {s.context.span_id for s in runs}
    steps = [s for s in finished if s.name.startswith("step ") and s.parent.span_id in run_ids]
    assert [
        (s.name, s.attributes["pgqrs.step.attempt"], s.attributes["pgqrs.outcome"]) for s in steps
    ] == [
        ("step t_first", 1, "SUCCESS"),
        ("step t_second", 1, "FAILED"),
        ("step t_second", 2, "SUCCESS"),
        ("step pgqrs.start_child", 1, "SUCCESS"),
    ]
    assert steps[1].status.status_code == otel_trace.StatusCode.ERROR
    assert steps[0].attributes["pgqrs.step.key"] == "t_first"
    # The child's run continues from the step that started it.
    child = by_name["workflow t_child"][0]
    assert child.parent.span_id == steps[3].context.span_id
    # A plain def workflow, run in the worker's thread pool, gets its spans too.
    sync_run = by_name["workflow t_sync"][0]
    assert sync_run.attributes["pgqrs.workflow.id"] == sync_id
    assert sync_run.parent.span_id == request.context.span_id
    assert by_name["step t_sync_step"][0].parent.span_id == sync_run.context.span_id


def test_no_traceparent_is_stored_without_a_tracer_provider(dsn: str) -> None:
    async def main() -> Any:
        async with await pgqrs.connect(dsn) as store:
            handle = await pgqrs.admin(store).start_workflow("t_untraced")
            rows = await store.call(
                "SELECT pgqrs.trace_context(p_workflow_id => %s::uuid)", (handle.id,)
            )
            return rows[0][0]

    assert asyncio.run(main()) is None
