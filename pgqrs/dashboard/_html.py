"""HTML that is safe by construction, and the formatting every page shares.

:func:`tag` escapes every string it is given, so a workflow name, an input or an error message
can never become markup; only :class:`Markup` (what :func:`tag` and :func:`esc` return, and the
SVG of ``_svg``) is inserted as it is. No template engine: pages are functions of their data.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from .. import _durations as durations

STATUSES = ("PENDING", "RUNNING", "SUCCESS", "FAILED", "DEAD", "CANCELLED")
FINAL = ("SUCCESS", "FAILED", "CANCELLED")

# Longest JSON text shown in full on a page; longer values are cut (the CLI and SQL show all).
JSON_LIMIT = 20_000

_VOID = frozenset({"br", "hr", "img", "input", "link", "meta", "source"})


class Markup(str):
    """A string of HTML, inserted into pages as it is."""

    __slots__ = ()


class JsonText(str):
    """A JSON value as the text PostgreSQL sent (the dashboard does not decode values it only
    shows: a value nested too deep to decode still shows)."""

    __slots__ = ()


Child = object


def esc(value: object) -> Markup:
    """``value`` as HTML text: escaped, unless it is Markup already."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape("" if value is None else str(value), quote=True))


def _flatten(children: Iterable[Child]) -> Iterable[Markup]:
    for child in children:
        if child is None or child is False:
            continue
        if isinstance(child, (list, tuple)):
            yield from _flatten(child)
        else:
            yield esc(child)


def join(*children: Child) -> Markup:
    return Markup("".join(_flatten(children)))


def tag(name: str, /, *children: Child, **attrs: Any) -> Markup:
    """``<name attrs>children</name>``. Attribute names: a trailing ``_`` is dropped (``class_``)
    and ``_`` becomes ``-`` (``data_live``); True is a bare attribute, None and False none."""
    parts = [name]
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        attr = key.rstrip("_").replace("_", "-")
        parts.append(attr if value is True else f'{attr}="{esc(value)}"')
    opening = f"<{' '.join(parts)}>"
    if name in _VOID:
        return Markup(opening)
    return Markup(f"{opening}{join(*children)}</{name}>")


# --- values -------------------------------------------------------------------------------------


def span(seconds: float) -> str:
    """A duration as the dashboard writes it: with its fraction under ten seconds (``850ms``,
    ``2.5s``), else as the CLI does (``3m12s``)."""
    return durations.span(seconds, fine=True)


def utc(when: datetime) -> str:
    return f"{when.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def ago(when: datetime | None, now: datetime) -> Markup:
    """``<time>`` with an age (``3m12s ago``, ``in 20s``) and the UTC time as its title."""
    if when is None:
        return Markup("-")
    seconds = (now - when).total_seconds()
    text = f"{span(seconds)} ago" if seconds >= 0 else f"in {span(-seconds)}"
    return tag("time", text, datetime=when.isoformat(), title=utc(when))


def took(start: datetime | None, end: datetime | None) -> str:
    if start is None or end is None:
        return "-"
    return span(max(0.0, (end - start).total_seconds()))


def badge(status: str | None) -> Markup:
    return tag("span", status or "-", class_=f"badge s-{(status or 'none').lower()}")


def yes(flag: object) -> Markup:
    return tag("span", "yes" if flag else "no", class_="yes" if flag else "no")


def parse_json(value: object) -> tuple[bool, Any]:
    """(True, the decoded value) of a JSON text, or (False, None) when it cannot be decoded."""
    if not isinstance(value, str):
        return True, value
    try:
        return True, json.loads(value)
    except (ValueError, RecursionError):
        return False, None


def json_text(value: object, limit: int = JSON_LIMIT) -> str:
    """A JSON value, indented, cut at ``limit`` characters."""
    ok, decoded = parse_json(value)
    try:
        text = json.dumps(decoded, indent=2, ensure_ascii=False) if ok else str(value)
    except (ValueError, RecursionError):
        text = str(value)
    if len(text) > limit:
        text = f"{text[:limit]}\n... ({len(text) - limit} more characters)"
    return text


def json_block(value: object) -> Markup:
    return tag("pre", json_text(value), class_="json")


def clip(text: str, width: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def error_of(value: object) -> dict[str, Any] | None:
    """A stored error as a dict (``type``, ``message``, ``traceback``), or None."""
    ok, decoded = parse_json(value)
    if not ok or decoded is None:
        return None
    if isinstance(decoded, dict):
        return decoded
    return {"message": str(decoded)}


def error_line(value: object) -> str:
    error = error_of(value)
    if error is None:
        return ""
    kind, message = error.get("type"), error.get("message")
    return f"{kind}: {message}" if kind else str(message)


def error_block(value: object) -> Markup:
    """An error: ``Type: message`` and its traceback, if it has one."""
    error = error_of(value)
    if error is None:
        return Markup("")
    traceback = error.get("traceback")
    return join(
        tag(
            "p",
            tag("strong", error.get("type") or "error"),
            ": ",
            error.get("message") or "",
            class_="error-line",
        ),
        tag("pre", str(traceback), class_="traceback") if traceback else None,
    )


def q(value: object) -> str:
    """``value`` quoted for a URL's path or query."""
    return quote(str(value), safe="")


def short_id(value: object) -> str:
    text = str(value)
    return text[:8] + "…" + text[-4:] if len(text) == 36 else text


def table(
    headers: Sequence[Child], rows: Iterable[Sequence[Child]], *, empty: str = "none", **attrs: Any
) -> Markup:
    body = [tag("tr", *(tag("td", cell) for cell in row)) for row in rows]
    if not body:
        return tag("p", empty, class_="empty")
    return tag(
        "table",
        tag("thead", tag("tr", *(tag("th", h) for h in headers))),
        tag("tbody", *body),
        **attrs,
    )


def fields(rows: Iterable[tuple[str, Child]]) -> Markup:
    return tag("dl", *((tag("dt", key), tag("dd", value)) for key, value in rows), class_="fields")


def section(title: str, *children: Child, id: str | None = None) -> Markup:
    return tag("section", tag("h2", title), *children, id=id)


def page(
    *,
    base: str,
    title: str,
    active: str,
    body: Child,
    live: Child = None,
    live_on: bool = True,
    watch: str | None = None,
    user: str | None = None,
    csrf: str | None = None,
) -> Markup:
    """A whole page: head, navigation, then ``body`` and the live region ``live`` (the part the
    browser fetches again when the server says something changed)."""
    nav = [
        tag("a", label, href=f"{base}{path}", class_="active" if key == active else None)
        for key, label, path in (
            ("overview", "Overview", "/"),
            ("workflows", "Workflows", "/workflows"),
            ("workers", "Workers", "/workers"),
            ("queues", "Queues", "/queues"),
            ("schedules", "Schedules", "/schedules"),
        )
    ]
    logout = None
    if user is not None and user != "anonymous":
        logout = tag(
            "form",
            tag("input", type="hidden", name="csrf", value=csrf or ""),
            tag("button", "log out", type="submit", class_="link"),
            method="post",
            action=f"{base}/logout",
            class_="logout",
        )
    return Markup(
        "<!doctype html>\n"
        + tag(
            "html",
            tag(
                "head",
                tag("meta", charset="utf-8"),
                tag("meta", name="viewport", content="width=device-width, initial-scale=1"),
                tag("title", f"{title} · pgqrs"),
                tag("link", rel="stylesheet", href=f"{base}/static/dashboard.css"),
                tag("script", src=f"{base}/static/dashboard.js", defer=True),
            ),
            tag(
                "body",
                tag(
                    "header",
                    tag("a", "pgqrs", href=f"{base}/", class_="brand"),
                    tag("nav", *nav),
                    tag("span", "", id="live-status", class_="live-status", title="live updates"),
                    logout,
                ),
                tag(
                    "main",
                    body,
                    tag("div", live, id="live", data_live="on" if live_on else "off")
                    if live is not None
                    else None,
                ),
                data_base=base,
                data_watch=watch,
            ),
            lang="en",
        )
    )
