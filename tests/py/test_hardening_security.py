"""Issue 13, security: notifications carry nothing a stranger may read, and only the schema
owner may move the pgqrs clock or lift the payload limit.

Two login roles per test: a stranger granted nothing at all, and an application role set up
as docs/security.md says (USAGE on the schema, EXECUTE on every API function).
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from contextlib import nullcontext
from typing import Any

import psycopg
import pytest
from helpers import later, with_fake_now, worker_on
from psycopg.conninfo import make_conninfo
from test_docs import _security_recipe

import pgqrs
from pgqrs import PyWorkflow
from pgqrs.decorators import workflow

CHANNELS = ("pgqrs_work", "pgqrs_done", "pgqrs_event", "pgqrs_message")
TAG = re.compile(r"[0-9a-f]{16}|\*")


@pytest.fixture
def roles(dsn: str) -> Iterator[dict[str, str]]:
    """DSNs of a stranger role (no grant at all) and an application role (docs/security.md,
    step 3: USAGE on the schema, EXECUTE on every API function), both dropped afterwards."""
    suffix = uuid.uuid4().hex[:8]
    stranger, app = f"stranger_{suffix}", f"app_{suffix}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"create role {stranger} login")
        conn.execute(f"create role {app} login")
        # Step 3 of "Setting up the roles", for this role instead of pgqrs_app.
        conn.execute(_security_recipe()[0][2].replace("pgqrs_app", app))
    try:
        yield {
            "stranger": make_conninfo(dsn, user=stranger),
            "app": make_conninfo(dsn, user=app),
        }
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"drop owned by {stranger}, {app}")
            conn.execute(f"drop role {stranger}")
            conn.execute(f"drop role {app}")


@workflow(name="secret_flow")
async def secret_flow(ctx: PyWorkflow, mode: str) -> Any:
    await ctx.set_event("secret_event_key", {"secret": "value"})
    if mode == "wait":
        return await ctx.recv("secret_topic", timeout=60)
    if mode == "fail":
        raise RuntimeError("secret failure")
    return mode


def test_a_role_granted_nothing_learns_nothing_from_notifications(
    dsn: str, roles: dict[str, str]
) -> None:
    """A stranger LISTENs on every pgqrs channel while workflows are started, finished, failed,
    cancelled, messaged and publish events: every payload it gets is an opaque 16-hex-digit
    tag (or '*'), never a name, id, topic or key (before, pgqrs_work carried workflow names
    and pgqrs_done ids). It cannot compute the tags either."""
    listener = psycopg.connect(roles["stranger"], autocommit=True)
    try:
        for channel in CHANNELS:
            listener.execute(f"LISTEN {channel}")

        async def main() -> None:
            # A receive kept in process (inline_wait_max) is told of its message on pgqrs_message.
            async with worker_on(dsn, [secret_flow], inline_wait_max=120) as (_, _store, admin):
                waiting = await admin.start_workflow(secret_flow, "wait")
                assert await admin.get_event(waiting.id, "secret_event_key", timeout=30)
                await admin.send(waiting.id, "secret_topic", "psst")
                assert await waiting.result(timeout=30) == "psst"
                for mode in ("done", "fail"):
                    handle = await admin.start_workflow(secret_flow, mode)
                    failing = mode == "fail"
                    with pytest.raises(pgqrs.WorkflowFailedError) if failing else nullcontext():
                        await handle.result(timeout=30)
                parked = await admin.start_workflow("secret_unserved", None)
                await admin.cancel_workflow(parked.id, reason="secret reason")

        asyncio.run(main())
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("select pg_catalog.pg_notify('pgqrs_done', 'end-of-test')")
        notes: list[tuple[str, str]] = []
        for note in listener.notifies(timeout=30):
            if note.payload == "end-of-test":
                break
            notes.append((note.channel, note.payload))
        for function in ("pgqrs.notify_key()", "pgqrs.notify_tag('done:x')"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                listener.execute(f"select {function}")
    finally:
        listener.close()
    # A tag is 16 hex digits: no name, topic or key, and no workflow id (36 characters) fits.
    assert [(channel, payload) for channel, payload in notes if not TAG.fullmatch(payload)] == []
    assert {channel for channel, _ in notes} == set(CHANNELS)


def test_an_application_role_cannot_move_the_clock(dsn: str, roles: dict[str, str]) -> None:
    """pgqrs.fake_now set by the application role raises 42501 (it could make every lease look
    expired or every deadline passed): InsufficientPrivilegeError, a PgqrsError."""

    async def main() -> None:
        async with await pgqrs.connect(roles["app"]) as store:
            ctx = await pgqrs.admin(store).create_workflow("clock", 1)  # no fake clock: fine
            assert (await ctx.info()).status == "PENDING"
        faked = with_fake_now(roles["app"], later(dsn, 3600))
        async with await pgqrs.connect(faked) as store:
            with pytest.raises(pgqrs.InsufficientPrivilegeError, match="fake_now") as raised:
                await pgqrs.admin(store).create_workflow("clock", 2)
            assert isinstance(raised.value, pgqrs.PgqrsError)
            assert raised.value.sqlstate == "42501"
        # The owner's sessions (here a superuser's) may: the tests' own fake clock.
        async with await pgqrs.connect(with_fake_now(dsn, later(dsn, 3600))) as store:
            assert (await pgqrs.admin(store).create_workflow("clock", 3)).id is not None

    asyncio.run(main())


def test_an_application_role_cannot_lift_the_payload_limit(dsn: str, roles: dict[str, str]) -> None:
    """pgqrs.max_payload_bytes set in the application role's session is ignored: a 2 MB input
    is still refused (PayloadTooLargeError). The same setting in an owner's session applies."""
    lifted = "options='-c pgqrs.max_payload_bytes=100000000'"
    big = "x" * 2_000_000

    async def main() -> None:
        async with await pgqrs.connect(f"{roles['app']} {lifted}") as store:
            with pytest.raises(pgqrs.PayloadTooLargeError):
                await pgqrs.admin(store).start_workflow("big", big)
        async with await pgqrs.connect(f"{dsn} {lifted}") as store:
            assert (await pgqrs.admin(store).start_workflow("big", big)).id is not None

    asyncio.run(main())
