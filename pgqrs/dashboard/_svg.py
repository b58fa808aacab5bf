"""Charts drawn on the server as inline SVG: no JavaScript, no chart library.

Colours come from classes styled by ``static/dashboard.css`` (``.c-success``, ...), so the page's
Content-Security-Policy needs no inline styles. Every mark has a ``<title>``: the browser shows
it as a tooltip.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ._html import Markup, esc, span, tag

FONT = 11  # px, the labels


def _n(value: float) -> str:
    """A coordinate: short, no exponent."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def nice_max(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten that is at least ``value`` (1 for 0)."""
    if value <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)


def svg(width: float, height: float, *children: Any, label: str, **attrs: Any) -> Markup:
    return tag(
        "svg",
        tag("title", label),
        *children,
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {_n(width)} {_n(height)}",
        width=_n(width),
        height=_n(height),
        role="img",
        aria_label=label,
        **attrs,
    )


def rect(x: float, y: float, w: float, h: float, cls: str, title: str | None = None) -> Markup:
    return tag(
        "rect",
        tag("title", title) if title else None,
        x=_n(x),
        y=_n(y),
        width=_n(max(w, 0.0)),
        height=_n(max(h, 0.0)),
        class_=cls,
    )


def text(x: float, y: float, value: str, cls: str = "label", anchor: str = "start") -> Markup:
    return tag("text", value, x=_n(x), y=_n(y), class_=cls, text_anchor=anchor)


def line(x1: float, y1: float, x2: float, y2: float, cls: str) -> Markup:
    return tag("line", x1=_n(x1), y1=_n(y1), x2=_n(x2), y2=_n(y2), class_=cls)


# --- throughput -----------------------------------------------------------------------------------


def throughput(
    rows: Sequence[Mapping[str, Any]], *, width: int = 1200, height: int = 200
) -> Markup:
    """Workflows finished per minute (stacked: succeeded, failed, cancelled) as bars, and created
    per minute as a line, from ``pgqrs.workflow_throughput`` rows."""
    left, right, top, bottom = 40, 10, 26, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(rows), 1)
    peak = max(
        [1]
        + [int(r["created"]) for r in rows]
        + [int(r["succeeded"]) + int(r["failed"]) + int(r["cancelled"]) for r in rows]
    )
    top_value = nice_max(peak)
    slot = plot_w / n

    def y(value: float) -> float:
        return top + plot_h - value / top_value * plot_h

    marks: list[Any] = []
    for tick in (0, top_value / 2, top_value):
        marks.append(line(left, y(tick), left + plot_w, y(tick), "grid"))
        marks.append(text(left - 4, y(tick) + 4, f"{tick:g}", anchor="end"))
    points: list[str] = []
    for i, row in enumerate(rows):
        minute: datetime = row["minute"]
        x = left + i * slot
        base = 0.0
        title = (
            f"{minute.astimezone(UTC):%H:%M} UTC: created {row['created']}, succeeded "
            f"{row['succeeded']}, failed {row['failed']}, cancelled {row['cancelled']}"
        )
        stack = []
        for key, cls in (
            ("succeeded", "c-success"),
            ("failed", "c-failed"),
            ("cancelled", "c-cancelled"),
        ):
            value = float(row[key])
            if value:
                stack.append(rect(x + 1, y(base + value), slot - 2, y(base) - y(base + value), cls))
                base += value
        # An invisible full-height band carries the tooltip of the minute.
        stack.append(rect(x, top, slot, plot_h, "hover", title))
        marks.append(tag("g", *stack))
        points.append(f"{_n(x + slot / 2)},{_n(y(float(row['created'])))}")
        if i % 10 == 0 or i == len(rows) - 1:
            marks.append(
                text(x + slot / 2, height - 6, f"{minute.astimezone(UTC):%H:%M}", anchor="middle")
            )
    if points:
        marks.append(tag("polyline", points=" ".join(points), class_="created-line"))
    legend = tag(
        "g",
        rect(left + 4, top, 8, 8, "c-success"),
        text(left + 15, top + 8, "succeeded"),
        rect(left + 80, top, 8, 8, "c-failed"),
        text(left + 91, top + 8, "failed"),
        rect(left + 135, top, 8, 8, "c-cancelled"),
        text(left + 146, top + 8, "cancelled"),
        line(left + 210, top + 4, left + 222, top + 4, "created-line"),
        text(left + 226, top + 8, "created"),
        class_="legend",
    )
    return svg(
        width,
        height,
        *marks,
        legend,
        label="workflows per minute, last hour",
        class_="chart throughput",
    )


# --- status bars ----------------------------------------------------------------------------------


def status_bar(counts: Mapping[str, int], *, width: int = 180, height: int = 12) -> Markup:
    """One horizontal bar split by status."""
    total = sum(counts.values())
    parts = []
    x = 0.0
    for status in ("SUCCESS", "RUNNING", "PENDING", "FAILED", "DEAD", "CANCELLED"):
        n = counts.get(status, 0)
        if not n:
            continue
        w = n / total * width if total else 0
        parts.append(rect(x, 0, w, height, f"c-{status.lower()}", f"{status}: {n}"))
        x += w
    if not parts:
        parts.append(rect(0, 0, width, height, "c-none"))
    return svg(width, height, *parts, label="by status", class_="status-bar")


# --- the step timeline ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bar:
    """One attempt of one step on the timeline."""

    row: str  # the step key
    start: datetime
    end: datetime | None  # None: still going (drawn to now)
    status: str  # SUCCESS, FAILED, RUNNING, WAITING
    attempt: int
    note: str = ""  # the error, for a failed attempt


WAIT_PREFIXES = ("pgqrs.sleep", "pgqrs.recv", "pgqrs.await")

_STEP_CLASS = {
    "SUCCESS": "c-success",
    "FAILED": "c-failed",
    "RUNNING": "c-running",
    "WAITING": "c-waiting",
    "RETRYING": "c-retrying",
}


def _ticks(total: float) -> list[float]:
    """About five round offsets (in seconds) from 0 to ``total``."""
    if total <= 0:
        return [0.0]
    raw = total / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(s * power for s in (1, 2, 5, 10) if s * power >= raw)
    return [i * step for i in range(int(total / step) + 1)]


def timeline(
    bars: Sequence[Bar],
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    width: int = 900,
    max_rows: int = 200,
) -> Markup:
    """A row per step (in run order), a bar per attempt from its start to its end (to now while
    it runs or waits), coloured by outcome; the pause between a failed attempt and the next one
    (a retry's backoff) is a dashed line. ``start``/``end`` bound the time axis (the workflow's
    creation and its end, or now)."""
    rows: list[str] = []
    for bar in bars:
        if bar.row not in rows:
            rows.append(bar.row)
    cut = len(rows) > max_rows
    rows = rows[:max_rows]
    index = {key: i for i, key in enumerate(rows)}
    label_w, right, top, row_h, axis_h = 190, 70, 8, 22, 26
    plot_w = width - label_w - right
    height = top + max(len(rows), 1) * row_h + axis_h
    first = min([start, *(b.start for b in bars)])
    last = max([end, *((b.end or now) for b in bars)])
    total = max((last - first).total_seconds(), 0.001)

    def x(when: datetime) -> float:
        return label_w + (when - first).total_seconds() / total * plot_w

    marks: list[Any] = []
    for tick in _ticks(total):
        tx = label_w + tick / total * plot_w
        marks.append(line(tx, top, tx, top + len(rows) * row_h, "grid"))
        marks.append(text(tx, height - 8, "+" + span(tick) if tick else "0", anchor="middle"))
    previous_end: dict[str, datetime] = {}
    for bar in bars:
        if bar.row not in index:
            continue
        i = index[bar.row]
        y = top + i * row_h
        bar_end = bar.end or now
        x1 = x(bar.start)
        x2 = max(x(bar_end), x1 + 2)
        if bar.row in previous_end and bar.start > previous_end[bar.row]:
            gap_y = y + row_h / 2
            marks.append(line(x(previous_end[bar.row]), gap_y, x1, gap_y, "backoff"))
        previous_end[bar.row] = bar_end
        kind = "wait" if bar.row.startswith(WAIT_PREFIXES) else "step"
        took = span((bar_end - bar.start).total_seconds())
        title = f"{bar.row} attempt {bar.attempt}: {bar.status}, {took}" + (
            "" if bar.end else " so far"
        )
        if bar.note:
            title += f"\n{bar.note}"
        marks.append(
            rect(
                x1,
                y + 4,
                x2 - x1,
                row_h - 8,
                f"{_STEP_CLASS.get(bar.status, 'c-none')} {kind}",
                title,
            )
        )
    for key, i in index.items():
        y = top + i * row_h
        shown = key if len(key) <= 28 else key[:27] + "…"
        marks.append(text(label_w - 8, y + row_h / 2 + 4, shown, "label step-key", "end"))
        spans = [b for b in bars if b.row == key]
        total_row = sum(((b.end or now) - b.start).total_seconds() for b in spans)
        note = span(total_row) + (f" x{len(spans)}" if len(spans) > 1 else "")
        marks.append(text(width - right + 6, y + row_h / 2 + 4, note))
    if not rows:
        marks.append(text(label_w, top + 14, "no steps yet"))
    if cut:
        marks.append(text(4, height - 8, f"first {max_rows} steps"))
    marks.append(line(label_w, top, label_w, top + max(len(rows), 1) * row_h, "axis"))
    return svg(
        width,
        height,
        *marks,
        label=f"timeline of {len(rows)} steps",
        class_="chart timeline",
        preserveAspectRatio="xMinYMin meet",
    )


def dot(cls: str) -> Markup:
    return Markup(
        f'<svg class="dot" width="8" height="8" viewBox="0 0 8 8">'
        f'<circle cx="4" cy="4" r="4" class="{esc(cls)}"/></svg>'
    )
