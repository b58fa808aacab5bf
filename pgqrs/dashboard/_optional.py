"""Listing pages shown as a table of whatever a pgqrs function returns, so that a column a
later release adds shows up without a change here. The Queues and Schedules pages are made with
:func:`listing_page`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, LiteralString

from starlette.responses import Response

from ._html import JsonText, Markup, ago, clip, join, json_text, table, tag
from ._view import View


def cell(value: Any, now: datetime) -> Any:
    """A value of any column, shown briefly (HTML a page made for it, as it is)."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return Markup('<span class="muted">-</span>')
    if isinstance(value, datetime):
        return ago(value, now)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, JsonText):
        return tag("code", clip(json_text(value), 120))
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "-"
    return str(value)


def generic_table(rows: Sequence[Mapping[str, Any]], now: datetime, *, empty: str) -> Markup:
    if not rows:
        return tag("p", empty, class_="empty")
    columns = list(rows[0].keys())
    return table(
        [c.replace("_", " ") for c in columns],
        [[cell(r[c], now) for c in columns] for r in rows],
        empty=empty,
    )


async def listing_page(
    view: View,
    *,
    title: str,
    active: str,
    query: LiteralString,
    empty: str,
    extra: Markup | None = None,
    shape: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None,
) -> Response:
    """The page of a listing function's rows; ``shape`` may restate a row's values first."""
    now = await view.now()
    rows: Sequence[Mapping[str, Any]] = await view.db.rows(query)
    if shape is not None:
        rows = [shape(row) for row in rows]
    content = generic_table(rows, now, empty=empty)
    return view.render(title=title, active=active, body=tag("h1", title), live=join(content, extra))
