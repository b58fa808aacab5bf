"""Prometheus metrics of this process, and the small HTTP endpoint that serves them.

What is measured (docs/observability.md lists every metric): runs of workflows started and
finished by name and outcome, step attempt durations, step retries, claim latency, claims and
lease takeovers, and each worker's running count. The run engine and the worker report through
:mod:`pgqrs._observe`; nothing is recorded until :func:`enable` is called, which a
:class:`pgqrs.Worker` with ``metrics_port`` does (and ``pgqrs dashboard --metrics-port``), so a
process without metrics pays one flag check per hook.

The text exposition format (version 0.0.4) is written here: counters, gauges and histograms with
labels are a few lines each, and the package needs no client library for them. One registry per
process; every worker of the process reports to it, and one endpoint per port serves it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import threading
from collections.abc import Awaitable, Callable, Iterable, Sequence

logger = logging.getLogger("pgqrs.metrics")

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Durations from 5 ms (one step's round trip) to an hour.
SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600)

_enabled = False


def enabled() -> bool:
    """True once :func:`enable` was called in this process."""
    return _enabled


def enable() -> None:
    """Start recording the metrics of this process (idempotent)."""
    global _enabled
    _enabled = True


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    return repr(int(value)) if value == int(value) and abs(value) < 2**53 else repr(value)


def _labels(names: Sequence[str], values: Sequence[str], extra: str = "") -> str:
    pairs = [f'{n}="{_escape(v)}"' for n, v in zip(names, values, strict=True)]
    if extra:
        pairs.append(extra)
    return "{" + ",".join(pairs) + "}" if pairs else ""


class Metric:
    """A metric family: a name, a help text, label names, and a value per label set."""

    kind = "untyped"

    def __init__(self, name: str, help: str, labels: Sequence[str] = ()) -> None:
        self.name = name
        self.help = help
        self.labels = tuple(labels)
        self._lock = threading.Lock()  # sync workflows report from the worker's threads

    def _check(self, values: Sequence[str]) -> tuple[str, ...]:
        if len(values) != len(self.labels):
            raise ValueError(f"{self.name} takes labels {self.labels}, got {tuple(values)}")
        return tuple(values)

    def lines(self) -> list[str]:
        """The exposition of this family: HELP, TYPE, then one line per sample."""
        return [f"# HELP {self.name} {_escape(self.help)}", f"# TYPE {self.name} {self.kind}"]


class Counter(Metric):
    kind = "counter"

    def __init__(self, name: str, help: str, labels: Sequence[str] = ()) -> None:
        super().__init__(name, help, labels)
        self._values: dict[tuple[str, ...], float] = {}

    def inc(self, *labels: str, amount: float = 1.0) -> None:
        key = self._check(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, *labels: str) -> float:
        with self._lock:
            return self._values.get(tuple(labels), 0.0)

    def lines(self) -> list[str]:
        with self._lock:
            values = sorted(self._values.items())
        return super().lines() + [
            f"{self.name}{_labels(self.labels, k)} {_number(v)}" for k, v in values
        ]


class Gauge(Metric):
    """A value per label set, set directly or read from a function at each scrape."""

    kind = "gauge"

    def __init__(self, name: str, help: str, labels: Sequence[str] = ()) -> None:
        super().__init__(name, help, labels)
        self._values: dict[tuple[str, ...], float | Callable[[], float]] = {}

    def set(self, value: float | Callable[[], float], *labels: str) -> None:
        key = self._check(labels)
        with self._lock:
            self._values[key] = value

    def remove(self, *labels: str) -> None:
        with self._lock:
            self._values.pop(tuple(labels), None)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def lines(self) -> list[str]:
        with self._lock:
            values = sorted(self._values.items(), key=lambda item: item[0])
        return super().lines() + [
            f"{self.name}{_labels(self.labels, k)} {_number(v() if callable(v) else v)}"
            for k, v in values
        ]


class Histogram(Metric):
    kind = "histogram"

    def __init__(
        self,
        name: str,
        help: str,
        labels: Sequence[str] = (),
        buckets: Sequence[float] = SECONDS_BUCKETS,
    ) -> None:
        super().__init__(name, help, labels)
        self.buckets = tuple(sorted(buckets))
        # Per label set: the count in each bucket (not cumulative), the sum and the count.
        self._values: dict[tuple[str, ...], tuple[list[int], list[float]]] = {}

    def observe(self, value: float, *labels: str) -> None:
        key = self._check(labels)
        with self._lock:
            counts, total = self._values.setdefault(key, ([0] * (len(self.buckets) + 1), [0.0]))
            for i, bound in enumerate(self.buckets):
                if value <= bound:
                    counts[i] += 1
                    break
            else:
                counts[-1] += 1
            total[0] += value

    def count(self, *labels: str) -> int:
        with self._lock:
            found = self._values.get(tuple(labels))
            return sum(found[0]) if found else 0

    def lines(self) -> list[str]:
        with self._lock:
            values = sorted((k, (list(c), s[0])) for k, (c, s) in self._values.items())
        out = super().lines()
        for key, (counts, total) in values:
            cumulative = 0
            for bound, n in zip((*self.buckets, math.inf), counts, strict=True):
                cumulative += n
                le = f'le="{_number(bound)}"'
                out.append(f"{self.name}_bucket{_labels(self.labels, key, le)} {cumulative}")
            out.append(f"{self.name}_sum{_labels(self.labels, key)} {_number(total)}")
            out.append(f"{self.name}_count{_labels(self.labels, key)} {cumulative}")
        return out


# --- the metrics of pgqrs ---------------------------------------------------------------------

RUNS_STARTED = Counter(
    "pgqrs_workflow_runs_started_total",
    "Runs of workflows started in this process (a claim, a resume after a suspension, an inline "
    "run), by workflow name.",
    ("name",),
)
RUNS_FINISHED = Counter(
    "pgqrs_workflow_runs_finished_total",
    "Runs of workflows that ended in this process, by workflow name and outcome: SUCCESS, "
    "FAILED, CANCELLED, SUSPENDED (waits without holding a worker), STOPPED (the worker "
    "drained), LEASE_LOST (taken over elsewhere) or ERROR (the database could not be reached).",
    ("name", "outcome"),
)
RUN_SECONDS = Histogram(
    "pgqrs_workflow_run_seconds",
    "How long runs of workflows took in this process, by workflow name and outcome.",
    ("name", "outcome"),
)
STEP_SECONDS = Histogram(
    "pgqrs_step_seconds",
    "How long step attempts took in this process, by workflow name, step name (the step key "
    "without its #n) and outcome (SUCCESS, FAILED, INTERRUPTED).",
    ("workflow", "step", "outcome"),
)
STEP_RETRIES = Counter(
    "pgqrs_step_retries_total",
    "Failed step attempts that the retry policy retries, by workflow name and step name.",
    ("workflow", "step"),
)
CLAIM_SECONDS = Histogram(
    "pgqrs_claim_seconds",
    "Round trip of a worker's claim (pgqrs.claim), by worker.",
    ("worker",),
)
CLAIMED = Counter(
    "pgqrs_workflows_claimed_total",
    "Workflows a worker claimed, by worker and workflow name.",
    ("worker", "name"),
)
LEASE_TAKEOVERS = Counter(
    "pgqrs_lease_takeovers_total",
    "Claims that took over an expired lease (its holder died), by workflow name.",
    ("name",),
)
WORKER_RUNNING = Gauge(
    "pgqrs_worker_running", "Workflows a worker of this process runs now.", ("worker",)
)
WORKER_CONCURRENCY = Gauge(
    "pgqrs_worker_concurrency",
    "How many workflows a worker of this process runs at most.",
    ("worker",),
)

REGISTRY: list[Metric] = [
    RUNS_STARTED,
    RUNS_FINISHED,
    RUN_SECONDS,
    STEP_SECONDS,
    STEP_RETRIES,
    CLAIM_SECONDS,
    CLAIMED,
    LEASE_TAKEOVERS,
    WORKER_RUNNING,
    WORKER_CONCURRENCY,
]


def exposition(extra: Iterable[Metric] = ()) -> str:
    """The process's metrics (and ``extra``) in the text exposition format."""
    lines: list[str] = []
    for metric in (*REGISTRY, *extra):
        lines += metric.lines()
    return "\n".join(lines) + "\n"


# --- the endpoint -----------------------------------------------------------------------------

# A source of more metrics for a scrape (the dashboard's gauges, read from the database).
Collect = Callable[[], Awaitable[Sequence[Metric]]]


class MetricsServer:
    """``GET /metrics`` on a TCP port, in the running asyncio loop: the process's metrics, and
    those ``collect`` returns. One request per connection; anything else gets 404."""

    def __init__(self, collect: Collect | None = None) -> None:
        self._collect = collect
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        """The port it listens on (the one chosen by the system when started with port 0)."""
        assert self._server is not None and self._server.sockets
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self, port: int, host: str = "0.0.0.0") -> None:
        enable()
        self._server = await asyncio.start_server(self._serve, host, port)

    async def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            await server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            method, target, *_ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
            path = target.split("?", 1)[0]
            if method in ("GET", "HEAD") and path == "/metrics":
                extra = await self._collect() if self._collect is not None else ()
                status, kind, body = "200 OK", CONTENT_TYPE, exposition(extra).encode()
            else:
                status, kind, body = "404 Not Found", "text/plain", b"GET /metrics\n"
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n".encode()
            )
            if method != "HEAD":
                writer.write(body)
            await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass
        except Exception as exc:  # a scrape must never take the process down
            logger.warning("pgqrs: metrics endpoint: %s: %s", type(exc).__name__, exc)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
