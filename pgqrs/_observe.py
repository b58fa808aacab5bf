"""The hooks the run engine and the worker call to report what they do: a run, a step attempt,
a retry, a claim. Each hook feeds the Prometheus metrics of :mod:`pgqrs._metrics` and the
OpenTelemetry spans of :mod:`pgqrs._tracing`, and costs a flag check and a function call when
both are off (the default).

Outcomes are read from the exception a run or an attempt ends with: none is SUCCESS; a
cancellation, a suspension, a worker draining and a lost lease each have their own; anything
else is FAILED (or ERROR for a database that could not be reached).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any
from uuid import UUID

from . import _dberrors, _metrics, _tracing, errors

_NOTHING: AbstractContextManager[None] = contextlib.nullcontext()


def step_name(key: str) -> str:
    """The name of a step from its key: ``fetch#3`` is the third call of ``fetch``."""
    name, _, nth = key.rpartition("#")
    return name if name and nth.isdigit() else key


def run_outcome(error: BaseException | None) -> str:
    """How a run ended, for metrics and spans."""
    if error is None:
        return "SUCCESS"
    if isinstance(error, errors.WorkflowSuspended):
        return "SUSPENDED"
    if isinstance(error, errors.WorkflowCancelledError):
        return "CANCELLED"
    if isinstance(error, (errors.WorkerStopping, asyncio.CancelledError, KeyboardInterrupt)):
        return "STOPPED"
    if isinstance(error, (errors.LeaseLostError, errors.WorkflowBusyError)):
        return "LEASE_LOST"
    if _dberrors.is_transient(error):
        return "ERROR"
    return "FAILED"


class Run:
    """A run being observed: when it started, and its span."""

    __slots__ = ("done", "name", "span", "started")

    def __init__(self, name: str, span: _tracing.Span | None) -> None:
        self.name = name
        self.span = span
        self.started = time.monotonic()
        self.done = False


def start_run(name: str | None, workflow_id: UUID, token: int, resumed: bool) -> Run | None:
    """A run of a workflow starts (claimed, acquired, or resumed after a suspension); None
    when neither metrics nor tracing are on. The run's span is current until :func:`end_run`,
    so the spans of its steps are its children."""
    metrics = _metrics.enabled()
    if not metrics and _tracing.tracer() is None:
        return None
    label = name or "?"
    if metrics:
        _metrics.RUNS_STARTED.inc(label)
    span = _tracing.start(
        f"workflow {label}",
        {
            "pgqrs.workflow.id": str(workflow_id),
            "pgqrs.workflow.name": label,
            "pgqrs.workflow.token": token,
            "pgqrs.workflow.resumed": resumed,
        },
    )
    return Run(label, span)


def end_run(run: Run | None, error: BaseException | None) -> None:
    """The run ended, with ``error`` or without (SUCCESS). Only the first call counts, so the
    engine may report success where it returns and anything else where it unwinds."""
    if run is None or run.done:
        return
    run.done = True
    outcome = run_outcome(error)
    if _metrics.enabled():
        _metrics.RUNS_FINISHED.inc(run.name, outcome)
        _metrics.RUN_SECONDS.observe(time.monotonic() - run.started, run.name, outcome)
    if run.span is not None:
        run.span.end(outcome, error)


def step(workflow: str | None, workflow_id: UUID, key: str, attempt: int) -> Any:
    """A context manager around one attempt of a step: its duration and outcome (metrics), and
    its span. A shared no-op when both are off."""
    if not _metrics.enabled() and _tracing.tracer() is None:
        return _NOTHING
    return _step(workflow or "?", workflow_id, key, attempt)


@contextlib.contextmanager
def _step(workflow: str, workflow_id: UUID, key: str, attempt: int) -> Iterator[None]:
    name = step_name(key)
    span = _tracing.start(
        f"step {name}",
        {
            "pgqrs.workflow.id": str(workflow_id),
            "pgqrs.workflow.name": workflow,
            "pgqrs.step.key": key,
            "pgqrs.step.attempt": attempt,
        },
    )
    started = time.monotonic()
    error: BaseException | None = None
    try:
        yield
    except BaseException as exc:
        error = exc
        raise
    finally:
        if error is None:
            outcome = "SUCCESS"
        elif isinstance(error, (asyncio.CancelledError, KeyboardInterrupt, errors.WorkerStopping)):
            outcome = "INTERRUPTED"
        else:
            outcome = "FAILED"
        if _metrics.enabled():
            _metrics.STEP_SECONDS.observe(time.monotonic() - started, workflow, name, outcome)
        if span is not None:
            span.end(outcome, error)


def step_retry(workflow: str | None, key: str) -> None:
    """A failed attempt of step ``key`` is going to be retried."""
    if _metrics.enabled():
        _metrics.STEP_RETRIES.inc(workflow or "?", step_name(key))


def claim(worker: str) -> AbstractContextManager[Any]:
    """A context manager around a worker's claim: its round trip."""
    if not _metrics.enabled():
        return _NOTHING
    return _timed(_metrics.CLAIM_SECONDS, worker)


@contextlib.contextmanager
def _timed(histogram: _metrics.Histogram, *labels: str) -> Iterator[None]:
    started = time.monotonic()
    try:
        yield
    finally:
        histogram.observe(time.monotonic() - started, *labels)


def claimed(worker: str, name: str, recovered: bool) -> None:
    """A worker claimed a workflow of ``name``; ``recovered``: it took over an expired lease."""
    if _metrics.enabled():
        _metrics.CLAIMED.inc(worker, name)
        if recovered:
            _metrics.LEASE_TAKEOVERS.inc(name)


async def serve_worker(
    worker: str, running: Callable[[], float], concurrency: int, port: int | None
) -> _metrics.MetricsServer | None:
    """With ``port``: turn metrics on, report the worker's gauges and serve ``/metrics`` on the
    port (0: any free port); the server, or None without a port."""
    if port is None:
        return None
    server = _metrics.MetricsServer()
    await server.start(port)
    _metrics.WORKER_RUNNING.set(running, worker)
    _metrics.WORKER_CONCURRENCY.set(concurrency, worker)
    return server


async def stop_serving(worker: str, server: _metrics.MetricsServer | None) -> None:
    """Stop what :func:`serve_worker` started."""
    if server is None:
        return
    _metrics.WORKER_RUNNING.remove(worker)
    _metrics.WORKER_CONCURRENCY.remove(worker)
    await server.close()
