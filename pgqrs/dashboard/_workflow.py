"""The Workflow page: one workflow's input, output or error and traceback, a timeline of its steps
(every attempt, waits, retry pauses), its steps and attempts, its children as a tree, its
messages and events, its lease, parent and fork links; and the actions.

Actions (cancel, resume, revive, fork from a step, send a message) are form posts, each one
pgqrs SQL function call on the actions connection, so the same rules and SQLSTATEs apply as
anywhere else: a refusal shows the pgqrs error message. They exist only with ``allow_actions``
and credentials, and every post is checked for its CSRF token and origin (``_auth``).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

import psycopg
from starlette.responses import RedirectResponse, Response

from .. import _sql
from ..errors import PgqrsError
from . import _svg
from ._html import (
    FINAL,
    Markup,
    ago,
    badge,
    clip,
    error_block,
    error_line,
    esc,
    fields,
    join,
    json_block,
    json_text,
    q,
    section,
    short_id,
    table,
    tag,
    took,
)
from ._view import View

# The largest form a post may carry: a message of pgqrs's default payload limit (1 MiB) and room.
MAX_FORM_BYTES = 2 * 1024 * 1024

ACTIONS = ("cancel", "resume", "revive", "fork", "send")

# What a banner says after an action (the page is shown again with ?done=...).
DONE = {
    "cancelled": "Cancelled.",
    "finished": "Nothing to cancel: the workflow had already finished.",
    "resumed": "Resumed: queued for a worker, from its last finished step.",
    "revived": "Revived: queued for a worker with a fresh recovery budget.",
    "forked": "Forked: this is the new workflow, queued for a worker.",
    "sent": "Message sent.",
}

# HTTP status of a refused action, by SQLSTATE.
_STATUS = {"PQ001": 404, "PQ008": 400, "42501": 403}


def workflow_id(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


async def render(
    view: View, ident: str, *, banner: Markup | None = None, status: int = 200
) -> Response:
    wid = workflow_id(ident)
    if wid is None:
        return not_found(view, f"{ident!r} is not a workflow id")
    db = view.db
    try:
        info = await db.one(_sql.DESCRIBE_WORKFLOW, (wid,))
    except PgqrsError as exc:
        if exc.sqlstate == "PQ001":
            return not_found(view, f"no workflow has the id {wid}")
        raise
    steps, attempts, tree, messages, events, now = await asyncio.gather(
        db.rows(_sql.LIST_STEPS, (wid,)),
        db.rows(_sql.LIST_STEP_ATTEMPTS, (wid,)),
        db.rows(_sql.DASHBOARD_TREE, (wid, 200)),
        db.rows(_sql.DASHBOARD_MESSAGES, (wid, 50)),
        db.rows(_sql.DASHBOARD_EVENTS, (wid, 100)),
        view.now(),
    )
    done = view.request.query_params.get("done")
    if banner is None and done in DONE:
        banner = tag("p", DONE[done], class_="banner ok")
    final = info["status"] in FINAL
    live = join(
        _summary(view, info, now),
        _values(info),
        section(
            "Timeline",
            _timeline(info, attempts, now),
            tag("p", _timeline_legend(), class_="legend muted"),
        ),
        section("Steps", _steps(steps, now), id="steps"),
        section("Attempts", _attempts(attempts, now), id="attempts")
        if any(a["status"] == "FAILED" for a in attempts)
        else None,
        section("Children", _tree(view, tree, wid)) if len(tree) > 1 else None,
        section("Messages", _messages(messages, now)) if messages else None,
        section("Events", _events(events, now)) if events else None,
    )
    body = join(
        tag(
            "h1",
            info["name"],
            " ",
            badge(info["status"]),
            tag("span", str(wid), class_="id muted"),
        ),
        banner,
        _actions(view, info, steps) if view.can_act else None,
    )
    return view.render(
        title=f"{info['name']} {short_id(wid)}",
        active="workflows",
        body=body,
        live=join(live, tag("span", id="wf-state", hidden=True, data_final="1" if final else "0")),
        watch=str(wid),
        status=status,
    )


def not_found(view: View, message: str) -> Response:
    return view.render(
        title="Not found",
        active="workflows",
        body=join(tag("h1", "Workflow not found"), tag("p", message, class_="banner error")),
        status=404,
    )


def _link(view: View, ident: Any) -> Markup:
    if ident is None:
        return Markup("-")
    return tag("a", str(ident), href=view.url(f"/workflows/{ident}"), class_="id")


def _summary(view: View, w: dict[str, Any], now: datetime) -> Markup:
    rows: list[tuple[str, Any]] = [
        ("status", badge(w["status"])),
        ("idempotency key", w["idempotency_key"] or "-"),
        ("created", ago(w["created_at"], now)),
        ("started", ago(w["started_at"], now)),
        ("updated", ago(w["updated_at"], now)),
        ("finished", ago(w["finished_at"], now)),
        (
            "took",
            took(w["created_at"], w["finished_at"] or now)
            + ("" if w["finished_at"] else " so far"),
        ),
        ("attempt", f"{w['attempt']} of {w['max_attempts']}"),
        ("recoveries", f"{w['recoveries']} of {w['max_recoveries']}"),
        ("deadline", ago(w["deadline_at"], now)),
        ("queued", "yes" if w["queued"] else "no (an inline run)"),
    ]
    if w["queued"] and w["status"] in ("PENDING", "RUNNING"):
        rows.append(
            ("available", ago(w["available_at"], now) if w["available_at"] else "when woken")
        )
    if w["waiting_for"]:
        rows.append(("waits for", _waiting(view, w["waiting_for"])))
    rows += [
        ("lease owner", w["lease_owner"] or "-"),
        ("lease token", str(w["lease_token"])),
        ("lease expires", ago(w["lease_expires_at"], now)),
        ("parent", _link(view, w["parent_id"])),
        ("forked from", _link(view, w["forked_from"])),
    ]
    return tag("div", fields(rows), class_="summary")


def _waiting(view: View, waiting_for: str) -> Markup:
    kind, _, what = waiting_for.partition(":")
    if kind == "workflow":
        return join("workflow ", _link(view, what))
    if kind == "message":
        return join("a message on topic ", tag("code", what))
    return esc(waiting_for)


def _values(w: dict[str, Any]) -> Markup:
    out = [section("Input", json_block(w["input"]))]
    if w["status"] == "SUCCESS" or w["output"] is not None:
        out.append(section("Output", json_block(w["output"])))
    if w["error"] is not None:
        out.append(section("Error", error_block(w["error"]), id="error"))
    return tag("div", *out, class_="values")


def _timeline(w: dict[str, Any], attempts: list[dict[str, Any]], now: datetime) -> Markup:
    end = w["finished_at"] or (w["updated_at"] if w["status"] == "DEAD" else now)
    bars = [
        _svg.Bar(
            row=a["step_key"],
            start=a["started_at"] or w["created_at"],
            end=a["finished_at"] or (None if w["status"] in ("PENDING", "RUNNING") else end),
            status=a["status"],
            attempt=a["attempt"],
            note=error_line(a["error"]) if a["error"] is not None else "",
        )
        for a in attempts
    ]
    return _svg.timeline(bars, start=w["created_at"], end=end, now=now)


def _timeline_legend() -> Markup:
    return join(
        *(
            join(_svg.dot(cls), " ", label, " ")
            for cls, label in (
                ("c-success", "succeeded"),
                ("c-failed", "failed attempt"),
                ("c-running", "running"),
                ("c-waiting", "waiting"),
            )
        ),
        "; a dashed line is the pause before a retry.",
    )


def _steps(steps: list[dict[str, Any]], now: datetime) -> Markup:
    def value(s: dict[str, Any]) -> Markup:
        if s["status"] == "SUCCESS":
            text = json_text(s["output"])
            return _expandable(text)
        if s["error"] is not None:
            return join(tag("span", clip(error_line(s["error"]), 100), class_="error-line"))
        return Markup("-")

    return table(
        ["step", "status", "attempt", "started", "took", "output or error"],
        [
            [
                tag("code", s["step_key"]),
                badge(s["status"]),
                s["attempt"],
                ago(s["started_at"], now),
                took(s["started_at"], s["finished_at"]),
                value(s),
            ]
            for s in steps
        ],
        empty="no steps recorded yet",
        class_="steps",
    )


def _expandable(text: str) -> Markup:
    if len(text) <= 80 and "\n" not in text:
        return tag("code", text)
    return tag(
        "details", tag("summary", tag("code", clip(text, 80))), tag("pre", text, class_="json")
    )


def _attempts(attempts: list[dict[str, Any]], now: datetime) -> Markup:
    def error(a: dict[str, Any]) -> Markup:
        if a["error"] is None:
            return Markup("-")
        return tag(
            "details", tag("summary", clip(error_line(a["error"]), 100)), error_block(a["error"])
        )

    return table(
        ["#", "step", "attempt", "status", "runner", "started", "took", "error"],
        [
            [
                a["step_position"] if a["step_position"] is not None else "-",
                tag("code", a["step_key"]),
                a["attempt"],
                badge(a["status"]),
                a["owner"] or "-",
                ago(a["started_at"], now),
                took(a["started_at"], a["finished_at"]),
                error(a),
            ]
            for a in attempts
        ],
        class_="attempts",
    )


def _tree(view: View, rows: list[dict[str, Any]], root: uuid.UUID) -> Markup:
    """The rows of workflow_tree (depth first, with depths) as nested lists."""
    parts: list[str] = []
    depth = -1
    for r in rows:
        d = int(r["depth"])
        if d > depth:
            parts.append('<ul class="tree">' * (d - depth))
        else:
            parts.append("</li></ul>" * (depth - d) + "</li>")
        item = join(
            tag("a", r["name"], href=view.url(f"/workflows/{r['id']}"))
            if r["id"] != root
            else tag("strong", r["name"]),
            " ",
            badge(r["status"]),
            " ",
            tag("span", short_id(r["id"]), class_="id muted"),
        )
        parts.append(f"<li>{item}")
        depth = d
    parts.append("</li></ul>" * (depth + 1))
    note = (
        tag("p", f"the first {len(rows)} workflows of the tree", class_="muted")
        if len(rows) >= 200
        else None
    )
    return join(Markup("".join(parts)), note)


def _messages(messages: list[dict[str, Any]], now: datetime) -> Markup:
    return table(
        ["id", "topic", "message", "key", "sent", "consumed by"],
        [
            [
                m["message_id"],
                tag("code", m["topic"]),
                _expandable(json_text(m["message"])),
                m["idempotency_key"] or "-",
                ago(m["sent_at"], now),
                join(tag("code", m["consumed_by"]), " ", ago(m["consumed_at"], now))
                if m["consumed_by"]
                else tag("span", "waiting", class_="muted"),
            ]
            for m in messages
        ],
    )


def _events(events: list[dict[str, Any]], now: datetime) -> Markup:
    return table(
        ["key", "value", "set"],
        [
            [tag("code", e["key"]), _expandable(json_text(e["value"])), ago(e["set_at"], now)]
            for e in events
        ],
    )


# --- actions --------------------------------------------------------------------------------------


def _form(view: View, wid: Any, action: str, *children: Any, confirm: str | None = None) -> Markup:
    return tag(
        "form",
        tag("input", type="hidden", name="csrf", value=view.csrf),
        *children,
        method="post",
        action=view.url(f"/workflows/{wid}/{action}"),
        class_=f"action action-{action}",
        data_confirm=confirm,
    )


def _actions(view: View, w: dict[str, Any], steps: list[dict[str, Any]]) -> Markup:
    wid, status = w["id"], w["status"]
    forms = []
    if status in ("PENDING", "RUNNING", "DEAD"):
        forms.append(
            _form(
                view,
                wid,
                "cancel",
                tag(
                    "input",
                    type="text",
                    name="reason",
                    placeholder="reason (optional)",
                    maxlength=1000,
                ),
                tag("button", "Cancel", type="submit", class_="danger"),
                confirm="Cancel this workflow and its children?",
            )
        )
    if status in ("FAILED", "DEAD", "CANCELLED"):
        forms.append(_form(view, wid, "resume", tag("button", "Resume", type="submit")))
    if status == "DEAD":
        forms.append(_form(view, wid, "revive", tag("button", "Revive", type="submit")))
    options = [tag("option", "the start (a fresh run)", value="")] + [
        tag("option", s["step_key"], value=s["step_key"]) for s in steps
    ]
    forms.append(
        _form(
            view,
            wid,
            "fork",
            tag("label", "fork from ", tag("select", *options, name="from_step")),
            tag("button", "Fork", type="submit"),
        )
    )
    if status not in FINAL:
        forms.append(
            _form(
                view,
                wid,
                "send",
                tag(
                    "input",
                    type="text",
                    name="topic",
                    placeholder="topic",
                    required=True,
                    maxlength=255,
                ),
                tag(
                    "input", type="text", name="message", placeholder="message (JSON)", value="null"
                ),
                tag(
                    "input",
                    type="text",
                    name="key",
                    placeholder="idempotency key (optional)",
                    maxlength=255,
                ),
                tag("button", "Send", type="submit"),
            )
        )
    return tag("div", *forms, class_="actions")


async def act(view: View, ident: str, action: str) -> Response:
    """A form post of an action: one pgqrs function call, then the page again."""
    wid = workflow_id(ident)
    if wid is None or action not in ACTIONS:
        return not_found(view, "no such workflow or action")
    if not view.can_act:
        return _refused(
            view,
            wid,
            "Actions are off: start the dashboard with --allow-actions and a token or basic auth.",
            403,
        )
    size = int(view.request.headers.get("content-length") or 0)
    if size > MAX_FORM_BYTES:
        return _refused(view, wid, "The form is too large.", 413)
    body = (await view.request.body())[: MAX_FORM_BYTES + 1]
    form = {
        k: v[0]
        for k, v in parse_qs(
            body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=20
        ).items()
    }
    why = view.auth.check_form(view.request, view.principal, form.get("csrf"))
    if why is not None:
        return _refused(view, wid, f"Refused: {why}.", 403)
    try:
        target, done = wid, await _call(view, wid, action, form)
        if action == "fork":
            target, done = done, "forked"
    except PgqrsError as exc:
        code = exc.sqlstate or ""
        return await render(
            view,
            str(wid),
            banner=tag("p", f"{exc} ({code})" if code else str(exc), class_="banner error"),
            status=_STATUS.get(code, 409),
        )
    except (psycopg.DataError, ValueError) as exc:
        return await render(
            view, str(wid), banner=tag("p", str(exc), class_="banner error"), status=400
        )
    return RedirectResponse(view.url(f"/workflows/{target}?done={q(done)}"), status_code=303)


async def _call(view: View, wid: uuid.UUID, action: str, form: dict[str, str]) -> Any:
    db = view.db
    if action == "cancel":
        rows = await db.act(_sql.CANCEL_WORKFLOW, (wid, form.get("reason") or None))
        return "cancelled" if rows and rows[0][0] else "finished"
    if action == "resume":
        await db.act(_sql.RESUME_WORKFLOW, (wid,))
        return "resumed"
    if action == "revive":
        await db.act(_sql.REVIVE_WORKFLOW, (wid,))
        return "revived"
    if action == "fork":
        rows = await db.act(_sql.FORK_WORKFLOW, (wid, form.get("from_step") or None, None))
        return rows[0][0]
    text = form.get("message", "").strip() or "null"
    try:
        json.loads(text)
    except ValueError as exc:
        raise ValueError(f"the message is not JSON: {exc}") from None
    await db.act(_sql.SEND_MESSAGE, (wid, form.get("topic", ""), text, form.get("key") or None))
    return "sent"


def _refused(view: View, wid: uuid.UUID, message: str, status: int) -> Response:
    return view.render(
        title="Refused",
        active="workflows",
        body=join(
            tag("h1", "Refused"),
            tag("p", message, class_="banner error"),
            tag("p", tag("a", "back to the workflow", href=view.url(f"/workflows/{wid}"))),
        ),
        status=status,
    )


async def watch_tags(view: View, ident: str) -> list[str] | None:
    """The notification subjects of a workflow's page: its end, work of its name (a claim, a
    resume), its children ending, its event keys and message topics. None: not a workflow."""
    wid = workflow_id(ident)
    if wid is None:
        return None
    try:
        info = await view.db.one(_sql.DESCRIBE_WORKFLOW, (wid,))
        tree, events, messages = await asyncio.gather(
            view.db.rows(_sql.DASHBOARD_TREE, (wid, 50)),
            view.db.rows(_sql.DASHBOARD_EVENTS, (wid, 100)),
            view.db.rows(_sql.DASHBOARD_MESSAGES, (wid, 100)),
        )
    except PgqrsError:
        return None
    subjects = [f"done:{r['id']}" for r in tree] + [f"work:{info['name']}"]
    subjects += [f"event:{wid} {e['key']}" for e in events]
    topics = {m["topic"] for m in messages}
    waiting = info["waiting_for"] or ""
    if waiting.startswith("message:"):
        topics.add(waiting.removeprefix("message:"))
    subjects += [f"message:{wid} {topic}" for topic in sorted(topics)]
    return subjects
