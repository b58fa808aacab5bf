"""OpenTelemetry tracing: a span per workflow run and per step, and the trace context stored with
a workflow so that the worker that runs it continues the trace of the code that started it.

Tracing is on when the OpenTelemetry API is installed (``pip install 'pgqrs[otel]'``) and the
application has set a TracerProvider (``opentelemetry.trace.set_tracer_provider``, or an
auto-instrumentation agent): pgqrs then uses that provider's tracer ``pgqrs``. Otherwise every
function here returns at once, and the API is not even imported until the first check.

The trace context travels as a W3C ``traceparent`` (``00-<trace id>-<span id>-<flags>``): a start
(``admin.start_workflow``, ``ctx.start_child``, any ``submit_workflow`` the client sends) stores
the current span's in the workflow row (``submit_workflow``'s option ``traceparent``); a worker
reads it back (``pgqrs.trace_context``) and makes it the parent of the run's span. Every run of a
workflow (after each suspension, retry or recovery) is one more span in the same trace.
"""

from __future__ import annotations

import re
from typing import Any

# The opentelemetry API (its trace and context modules), once imported: None before the first
# look, False when it is missing.
_api: Any = None
_context: Any = None
_tracer: tuple[Any, Any] | None = None  # (provider, its tracer), for the provider in use

TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


def _otel() -> Any:
    """The ``opentelemetry.trace`` module, or None when the API is not installed."""
    global _api, _context
    if _api is None:
        try:
            from opentelemetry import context, trace
        except ImportError:
            _api = False
        else:
            _api, _context = trace, context
    return _api or None


def tracer() -> Any:
    """The tracer spans go to, or None when tracing is off (no OpenTelemetry API, or no
    TracerProvider set by the application: the API's default provider records nothing)."""
    trace = _otel()
    if trace is None:
        return None
    provider = trace.get_tracer_provider()
    if isinstance(provider, (trace.ProxyTracerProvider, trace.NoOpTracerProvider)):
        return None
    global _tracer
    if _tracer is None or _tracer[0] is not provider:
        _tracer = (provider, provider.get_tracer("pgqrs"))
    return _tracer[1]


def traceparent() -> str | None:
    """The W3C traceparent of the current span, to store with a workflow started now; None
    when tracing is off or no span is current."""
    if tracer() is None:
        return None
    context = _api.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"


def continue_trace(parent: str | None) -> None:
    """Make the span of ``parent`` (a traceparent read from a workflow row) the current context
    of this asyncio task or thread, so that the run's span continues that trace. The context
    is the task's own (a worker runs each workflow in a task, and a sync workflow in a copy of
    it), so it ends with the run."""
    if parent is None or tracer() is None:
        return
    found = TRACEPARENT.match(parent)
    if found is None:
        return
    trace = _api
    span_context = trace.SpanContext(
        trace_id=int(found.group(2), 16),
        span_id=int(found.group(3), 16),
        is_remote=True,
        trace_flags=trace.TraceFlags(int(found.group(4), 16)),
    )
    if span_context.is_valid:
        _context.attach(trace.set_span_in_context(trace.NonRecordingSpan(span_context)))


class Span:
    """A span that is current while it is open (its children nest under it); ended by
    :meth:`end` with an outcome, and then no longer current."""

    __slots__ = ("_span", "_token")

    def __init__(self, tracer: Any, name: str, attributes: dict[str, Any]) -> None:
        self._span = tracer.start_span(name, attributes=attributes)
        self._token = _context.attach(_api.set_span_in_context(self._span))

    def end(self, outcome: str, error: BaseException | None) -> None:
        _context.detach(self._token)
        span = self._span
        span.set_attribute("pgqrs.outcome", outcome)
        if error is not None and outcome in ("FAILED", "ERROR"):
            span.record_exception(error)
            span.set_status(_api.Status(_api.StatusCode.ERROR, f"{type(error).__name__}: {error}"))
        span.end()


def start(name: str, attributes: dict[str, Any]) -> Span | None:
    """A current span, or None when tracing is off."""
    found = tracer()
    return None if found is None else Span(found, name, attributes)
