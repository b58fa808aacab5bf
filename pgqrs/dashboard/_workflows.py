"""The Workflows page: filter by status, name, creation time, id or idempotency key; newest
first, a page at a time.

Pages are keyset pages of ``pgqrs.list_workflows_page``: the link to the next page carries the
``(created_at, id)`` of the last row shown (``before``), so every page costs one index range
scan, whatever its depth and the size of the table. The first page refreshes live; later pages
stay as they are (rows would shift under the reader).
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.responses import RedirectResponse, Response

from .. import _sql
from ._html import (
    STATUSES,
    Markup,
    ago,
    badge,
    esc,
    join,
    q,
    short_id,
    table,
    tag,
)
from ._view import View

# The ``to`` of a time range, as a cursor: before (to, the largest uuid).
_LAST_ID = uuid.UUID(int=(1 << 128) - 1)


class FilterError(ValueError):
    """A filter the page cannot use; its message is shown."""


def _time(text: str, what: str) -> datetime | None:
    """A time typed in the form (``2025-01-31T12:00``, taken as UTC, or ISO 8601 with a zone)."""
    text = text.strip()
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise FilterError(f"{what}: {text!r} is not a time (2025-01-31T12:00, UTC)") from None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _cursor(text: str) -> tuple[datetime, uuid.UUID] | None:
    if not text:
        return None
    created, _, ident = text.partition("~")
    try:
        return datetime.fromisoformat(created), uuid.UUID(ident)
    except ValueError:
        raise FilterError("the page link is damaged: start from the newest page") from None


async def render(view: View) -> Response:
    params = view.request.query_params
    status = params.get("status", "").upper()
    name = params.get("name", "").strip()
    search = params.get("q", "").strip()
    start, end = params.get("from", ""), params.get("to", "")
    before = params.get("before", "")
    error = None
    try:
        if status and status not in STATUSES:
            raise FilterError(f"unknown status {status!r}")
        if search:
            try:
                ident = uuid.UUID(search)
            except ValueError:
                ident = None
            if ident is not None:
                return RedirectResponse(view.url(f"/workflows/{ident}"), status_code=303)
        created_after = _time(start, "from")
        until = _time(end, "to")
        cursor = _cursor(before) or ((until, _LAST_ID) if until is not None else None)
    except FilterError as exc:
        error, created_after, cursor = str(exc), None, None
    limit = view.settings.page_size
    started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    if error is None:
        rows = await view.db.rows(
            _sql.DASHBOARD_PAGE,
            (
                status or None,
                name or None,
                limit + 1,  # one more: is there a next page?
                cursor[0] if cursor else None,
                cursor[1] if cursor else None,
                created_after,
                search or None,
            ),
        )
    took = time.perf_counter() - started
    more = len(rows) > limit
    rows = rows[:limit]
    now = await view.now()
    filters = {"status": status, "name": name, "q": search, "from": start, "to": end}
    live = join(
        tag("p", error, class_="banner error") if error else None,
        _table(view, rows, now),
        _pager(view, filters, rows, more, bool(before)),
        tag("p", f"{len(rows)} shown; read in {took * 1000:.0f} ms", class_="muted timing"),
    )
    names = await view.db.cached(
        ("names", view.settings.stale_seconds),
        view.settings.cache_seconds,
        lambda: view.db.rows(_sql.DASHBOARD_COUNTS, (view.settings.stale_seconds,)),
    )
    body = join(tag("h1", "Workflows"), _form(view, filters, sorted({r["name"] for r in names})))
    response = view.render(
        title="Workflows",
        active="workflows",
        body=body,
        live=live,
        live_on=not before,
        status=400 if error else 200,
    )
    response.headers["Server-Timing"] = f"db;dur={took * 1000:.1f}"
    return response


def _form(view: View, filters: dict[str, str], names: list[str]) -> Markup:
    status_options = [tag("option", "any status", value="")] + [
        tag("option", s, value=s, selected=s == filters["status"]) for s in STATUSES
    ]
    return tag(
        "form",
        tag("label", "status ", tag("select", *status_options, name="status")),
        tag(
            "label",
            "name ",
            tag("input", type="text", name="name", value=filters["name"], list="names", size=18),
        ),
        tag("datalist", *(tag("option", value=n) for n in names), id="names"),
        tag(
            "label",
            "created from ",
            tag("input", type="datetime-local", name="from", value=filters["from"], step=1),
        ),
        tag(
            "label",
            "to ",
            tag("input", type="datetime-local", name="to", value=filters["to"], step=1),
        ),
        tag("span", "(UTC)", class_="muted"),
        tag(
            "label",
            "id or key ",
            tag("input", type="search", name="q", value=filters["q"], size=24),
        ),
        tag("button", "filter", type="submit"),
        tag("a", "clear", href=view.url("/workflows")),
        method="get",
        action=view.url("/workflows"),
        class_="filters",
    )


def _state(row: dict[str, Any], now: datetime) -> Markup:
    """What a workflow is doing or waiting for, in a few words."""
    held = row.get("held_by")  # from the queues release on
    if held:
        return esc(held)
    if row.get("waiting_for"):
        return join("waits for ", row["waiting_for"])
    if row["status"] in ("PENDING", "RUNNING"):
        if row.get("lease_owner"):
            expires = row.get("lease_expires_at")
            if expires is not None and expires <= now:
                return join("lease of ", row["lease_owner"], " expired ", ago(expires, now))
            return join("run by ", row["lease_owner"])
        available = row.get("available_at")
        if row.get("queued") and available is not None and available > now:
            return join("available ", ago(available, now))
        if row.get("queued"):
            return Markup("queued")
    return Markup("")


def _table(view: View, rows: list[dict[str, Any]], now: datetime) -> Markup:
    return table(
        ["id", "name", "status", "created", "finished", "attempt", "recoveries", "state"],
        [
            [
                tag(
                    "a",
                    short_id(r["id"]),
                    href=view.url(f"/workflows/{r['id']}"),
                    class_="id",
                    title=str(r["id"]),
                ),
                tag("a", r["name"], href=view.url(f"/workflows?name={q(r['name'])}")),
                badge(r["status"]),
                ago(r["created_at"], now),
                ago(r["finished_at"], now),
                r.get("attempt", 1),
                r["recoveries"],
                _state(r, now),
            ]
            for r in rows
        ],
        empty="no workflows match",
        class_="workflows",
    )


def _pager(
    view: View, filters: dict[str, str], rows: list[dict[str, Any]], more: bool, paged: bool
) -> Markup:
    kept = {k: v for k, v in filters.items() if v}
    links = []
    if paged:
        links.append(tag("a", "« newest", href=view.url("/workflows?" + urlencode(kept))))
    if more and rows:
        last = rows[-1]
        cursor = f"{last['created_at'].isoformat()}~{last['id']}"
        links.append(
            tag(
                "a",
                "older »",
                href=view.url("/workflows?" + urlencode({**kept, "before": cursor})),
                rel="next",
                class_="next",
            )
        )
    return tag("nav", *links, class_="pager")
