"""Schedules (docs/schedules.md): the admin API, ``@workflow(schedule=...)``, and real worker
processes (tests/py/worker_proc.py) firing every tick exactly once: three of them racing, and one
killed with kill -9 while its firing transaction is open.

Time moves with the fake clock (``pgqrs.fake_now``) of the workers' sessions: a schedule made at
the real time R is seen by workers whose clock reads R + some minutes, so ticks are due at once
and nothing waits for a real minute. The rules themselves (cron fields, DST, missed ticks) are
tested in pgTAP (tests/sql/cron_next, fire_schedules, set_schedule).
"""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
import worker_flows
from helpers import fetch, poll, poll_async, server_now, with_fake_now, worker_on
from test_worker_faults import Workers

import pgqrs
from pgqrs import PyWorkflow
from pgqrs.decorators import workflow


def _key(schedule: str, tick: datetime) -> str:
    """The idempotency key of a tick's workflow."""
    return f"schedule:{schedule}:{tick.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def _minutes(after: datetime, upto: datetime) -> list[datetime]:
    """The ticks of '* * * * *' in (after, upto]."""
    tick = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    ticks = []
    while tick <= upto:
        ticks.append(tick)
        tick += timedelta(minutes=1)
    return ticks


async def _tick_workflow(dsn: str, schedule: str, tick: datetime) -> UUID:
    """The id of a tick's workflow, once a worker's claim has started it."""
    rows = await poll_async(
        lambda: asyncio.to_thread(
            fetch,
            dsn,
            "select id from pgqrs.workflows where idempotency_key = %s",
            (_key(schedule, tick),),
        ),
        bool,
    )
    return UUID(str(rows[0][0]))


def _fake_dsn(dsn: str, when: datetime, *, check_client: bool = False) -> str:
    """``dsn`` with the pgqrs clock at ``when``; with ``check_client``, the server also checks
    every 100 ms that the client is still there, so that the backend of a killed worker ends
    (and rolls back) even while it waits for a lock."""
    stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    check = " -c client_connection_check_interval=100" if check_client else ""
    return f"{dsn} options='-c pgqrs.fake_now={stamp}{check}'"


@pytest.fixture
def admin(dsn: str) -> Iterator[pgqrs.SyncAdmin]:
    with pgqrs.connect_sync(dsn) as store:
        yield pgqrs.admin(store)


@pytest.fixture
def workers(dsn: str, tmp_path: Path) -> Iterator[Workers]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(worker_flows.EFFECTS_DDL)
    manager = Workers(dsn, tmp_path)
    try:
        yield manager
    finally:
        print(manager.logs())  # shown by pytest when the test failed
        manager.close()


# --- the admin API --------------------------------------------------------------------------


def test_set_list_pause_resume_and_delete(admin: pgqrs.SyncAdmin) -> None:
    made = admin.set_schedule(
        "nightly",
        "report",
        "0 3 * * *",
        timezone="europe/paris",
        input={"team": "ops"},
        missed="catch_up",
        catch_up_limit=5,
        queue="reports",
        retries=2,
    )
    assert isinstance(made, pgqrs.Schedule)
    assert (made.name, made.workflow, made.cron, made.timezone, made.input) == (
        "nightly",
        "report",
        "0 3 * * *",
        "Europe/Paris",
        {"team": "ops"},
    )
    assert made.options == {"queue": "reports", "max_attempts": 3}
    assert (made.missed, made.catch_up_limit, made.paused) == ("catch_up", 5, False)
    assert made.next_run_at is not None and made.last_run_at is None
    # 03:00 in Paris is 01:00 or 02:00 UTC.
    assert made.next_run_at.astimezone(UTC).hour in (1, 2) and made.next_run_at.minute == 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.paused = True  # type: ignore[misc]

    # The same call again changes nothing (a worker starting sets it again).
    assert admin.set_schedule(
        "nightly",
        "report",
        "0 3 * * *",
        timezone="Europe/Paris",
        input={"team": "ops"},
        missed="catch_up",
        catch_up_limit=5,
        queue="reports",
        retries=2,
    ) == dataclasses.replace(made)
    assert admin.list_schedules() == [made]

    assert admin.pause_schedule("nightly") is True
    assert admin.list_schedules()[0].paused is True
    assert admin.pause_schedule("no-such-schedule") is False
    assert admin.resume_schedule("nightly") is True
    assert admin.resume_schedule("no-such-schedule") is False
    assert admin.list_schedules()[0].paused is False
    assert admin.delete_schedule("nightly") is True
    assert admin.delete_schedule("nightly") is False
    assert admin.list_schedules() == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ({"cron": "61 * * * *"}, 'cron minute field "61": 61 is not in [0, 59]'),
        ({"cron": "0 0 31 2 *"}, 'day-of-month field "31" never occurs in month field "2"'),
        ({"cron": "* * * *"}, "has 4 fields, not 5"),
        ({"timezone": "Mars/Olympus"}, 'unknown time zone "Mars/Olympus"'),
        ({"priority": 5000}, "priority must be between -1000 and 1000"),
        ({"missed": "all"}, "missed must be 'skip' or 'catch_up'"),
        ({"catch_up_limit": 3}, "catch_up_limit needs missed='catch_up'"),
        ({"missed": "catch_up", "catch_up_limit": 0}, "catch_up_limit must be an integer"),
    ],
)
def test_bad_settings_raise_invalid_argument_naming_them(
    admin: pgqrs.SyncAdmin, call: dict[str, Any], message: str
) -> None:
    args: dict[str, Any] = {"cron": "* * * * *", **call}
    with pytest.raises(pgqrs.InvalidArgumentError) as raised:
        admin.set_schedule("bad", "report", **args)
    assert message in str(raised.value)
    assert admin.list_schedules() == []


def test_the_decorator_checks_its_schedule() -> None:
    with pytest.raises(pgqrs.InvalidArgumentError, match="timezone is for a workflow"):
        workflow(timezone="UTC")
    with pytest.raises(pgqrs.InvalidArgumentError, match="in Cron"):
        workflow(schedule=pgqrs.Cron("@daily"), timezone="UTC")
    with pytest.raises(pgqrs.InvalidArgumentError, match=r"a cron expression or a pgqrs\.Cron"):
        workflow(schedule=5)  # type: ignore[call-overload]
    with pytest.raises(pgqrs.InvalidArgumentError, match="non-empty"):
        pgqrs.Cron(" ")
    with pytest.raises(pgqrs.InvalidArgumentError, match="needs missed='catch_up'"):
        pgqrs.Cron("@daily", catch_up_limit=3)
    assert pgqrs.tick_time({"scheduled_at": "2030-01-01T10:05:00Z"}) == datetime(
        2030, 1, 1, 10, 5, tzinfo=UTC
    )
    with pytest.raises(pgqrs.InvalidArgumentError, match="scheduled_at"):
        pgqrs.tick_time({"input": 1})


# --- @workflow(schedule=...) in a worker ----------------------------------------------------


@workflow(schedule="*/5 * * * *", timezone="Europe/Paris")
async def every_five(ctx: PyWorkflow, tick: dict[str, Any]) -> str:
    return str(tick["scheduled_at"])


@workflow(
    timeout=600,
    schedule=pgqrs.Cron(
        "0 3 * * *", name="nightly-report", input={"k": 1}, missed="catch_up", catch_up_limit=3
    ),
)
async def nightly(ctx: PyWorkflow, tick: dict[str, Any]) -> dict[str, Any]:
    return {"at": pgqrs.tick_time(tick).isoformat(), "input": tick["input"]}


def test_a_worker_sets_the_schedules_of_the_workflows_it_serves(dsn: str) -> None:
    async def main() -> None:
        async with worker_on(dsn, [every_five, nightly]) as (_, _, api):
            listed = await poll_async(api.list_schedules, lambda found: len(found) == 2)
            found = {s.name: s for s in listed}
            assert set(found) == {"every_five", "nightly-report"}
            five, report = found["every_five"], found["nightly-report"]
            assert (five.workflow, five.cron, five.timezone, five.missed) == (
                "every_five",
                "*/5 * * * *",
                "Europe/Paris",
                "skip",
            )
            assert (report.workflow, report.input, report.missed, report.catch_up_limit) == (
                "nightly",
                {"k": 1},
                "catch_up",
                3,
            )
            assert report.options == {"timeout_seconds": 600}  # the @workflow default
            # An operator pauses one.
            assert await api.pause_schedule("nightly-report")
        # A worker (re)starting sets them again: nothing changes, the pause stays.
        async with worker_on(dsn, [every_five, nightly], runner_id="w2") as (_, _, api):
            # Registered, and so past setting its schedules (a worker sets them first).
            await poll_async(api.list_workers, lambda found: any(w.name == "w2" for w in found))
            again = {s.name: s for s in await api.list_schedules()}
        assert again["every_five"] == five
        assert again["nightly-report"].paused is True

    asyncio.run(main())


def test_a_scheduled_workflow_runs_with_its_tick(dsn: str) -> None:
    async def main() -> None:
        made_at = server_now(dsn)
        async with await pgqrs.connect(dsn) as store:
            await pgqrs.admin(store).set_schedule(
                "stamp", nightly, "* * * * *", input={"k": 2}, missed="catch_up", catch_up_limit=2
            )
        # Workers whose clock reads five minutes later: five ticks passed, the latest two are fired.
        fake = made_at + timedelta(minutes=5)
        due = _minutes(made_at, fake)[-2:]
        async with worker_on(with_fake_now(dsn, fake), [nightly]) as (_, _, api):
            for tick in due:
                handle = api.handle(await _tick_workflow(dsn, "stamp", tick))
                assert await handle.result() == {"at": tick.isoformat(), "input": {"k": 2}}
        rows = fetch(dsn, "select idempotency_key from pgqrs.workflows order by available_at")
        assert [key for (key,) in rows] == [_key("stamp", tick) for tick in due]

    asyncio.run(main())


@workflow
async def echo_tick(ctx: PyWorkflow, tick: dict[str, Any]) -> str:
    return str(tick["scheduled_at"])


# --- real worker processes ------------------------------------------------------------------


def test_each_tick_starts_one_workflow_with_three_racing_workers(
    admin: pgqrs.SyncAdmin, workers: Workers, dsn: str
) -> None:
    names = [f"race-{i:02d}" for i in range(12)]
    made_at = server_now(dsn)
    for name in names:
        admin.set_schedule(name, "ticked", "* * * * *", missed="catch_up", catch_up_limit=100)
    # Three workers whose clock reads ten minutes later wake at once: each claim fires up to ten
    # due schedules, SKIP LOCKED, so they fire different ones, racing.
    fake = made_at + timedelta(minutes=10)
    ticks = _minutes(made_at, fake)
    for w in ("race-a", "race-b", "race-c"):
        workers.start(w, dsn=_fake_dsn(dsn, fake), extra=("--serve", "ticked"), wait=False)
    expected = {_key(name, tick) for name in names for tick in ticks}

    def all_done() -> bool:
        done = fetch(
            dsn,
            "select count(*) from pgqrs.workflows where name = 'ticked' and status = 'SUCCESS'",
        )
        return int(done[0][0]) >= len(expected)

    poll(all_done, timeout=120, what=f"{len(expected)} ticks to run")
    rows = fetch(
        dsn,
        "select w.idempotency_key, w.status, w.output,"
        " (select count(*) from effects e where e.workflow_id = w.id)"
        " from pgqrs.workflows w where w.name = 'ticked'",
    )
    assert sorted(key for key, *_ in rows) == sorted(expected)  # each tick once, none missing
    assert {(status, runs) for _, status, _, runs in rows} == {("SUCCESS", 1)}
    assert all(key.endswith(":" + output) for key, _, output, _ in rows)
    for schedule in admin.list_schedules():
        assert schedule.last_run_at == ticks[-1]
        assert schedule.next_run_at == ticks[-1] + timedelta(minutes=1)
        assert schedule.last_status == "SUCCESS" and schedule.last_error is None


def test_a_tick_fires_once_when_its_firing_worker_is_killed(
    admin: pgqrs.SyncAdmin, workers: Workers, dsn: str
) -> None:
    made_at = server_now(dsn)
    admin.set_schedule("killed", "ticked", "* * * * *")
    fake = made_at + timedelta(minutes=5)
    tick = _minutes(made_at, fake)[-1]  # missed = skip: the latest tick fires
    with psycopg.connect(dsn) as holder:
        # The test holds the row the firing will insert: a workflow with the tick's key, in an
        # open transaction. The victim's firing transaction then waits for it, open.
        holder.execute(
            "select * from pgqrs.start_workflow('blocker', null, p_idempotency_key => %s)",
            (_key("killed", tick),),
        )
        victim = workers.start(
            "victim", dsn=_fake_dsn(dsn, fake, check_client=True), extra=("--serve", "ticked")
        )
        (pid,) = poll(
            lambda: fetch(
                dsn,
                "select pid from pg_stat_activity where application_name = 'worker:victim'"
                " and wait_event_type = 'Lock'",
            ),
            timeout=30,
            what="the victim's firing to wait for the held row",
        )[0]
        victim.kill()
        # Its backend notices the client is gone and rolls the firing back, lock wait and all.
        poll(
            lambda: not fetch(dsn, "select 1 from pg_stat_activity where pid = %s", (pid,)),
            timeout=30,
            what="the killed worker's backend to end",
        )
        (row,) = fetch(dsn, "select next_run_at, last_run_at from pgqrs.schedules")
        assert row[0] <= tick and row[1] is None, "the dead firing changed nothing"
        holder.rollback()
    # Another worker fires the tick: one workflow, run once.
    workers.start("rescuer", dsn=_fake_dsn(dsn, fake), extra=("--serve", "ticked"))
    poll(
        lambda: fetch(
            dsn,
            "select 1 from pgqrs.workflows where idempotency_key = %s and status = 'SUCCESS'",
            (_key("killed", tick),),
        ),
        timeout=60,
        what="the tick's workflow to run",
    )
    rows = fetch(
        dsn,
        "select w.idempotency_key, (select array_agg(e.worker) from effects e"
        " where e.workflow_id = w.id) from pgqrs.workflows w",
    )
    assert rows == [(_key("killed", tick), ["rescuer"])]
    (schedule,) = admin.list_schedules()
    assert (schedule.last_run_at, schedule.last_status) == (tick, "SUCCESS")


def test_a_schedule_made_in_sql_is_fired_by_a_worker(dsn: str) -> None:
    """No Python on the database side: the schedule comes from psql-style SQL, a worker's
    claims fire it."""

    async def main() -> None:
        made_at = server_now(dsn)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(
                "select * from pgqrs.set_schedule('from-sql', 'echo_tick', '* * * * *', 'UTC',"
                " '\"hi\"'::jsonb)"
            )
        fake = made_at + timedelta(minutes=2)
        tick = _minutes(made_at, fake)[-1]
        async with worker_on(with_fake_now(dsn, fake), [echo_tick]) as (_, _, api):
            handle = api.handle(await _tick_workflow(dsn, "from-sql", tick))
            assert await handle.result() == f"{tick:%Y-%m-%dT%H:%M:%SZ}"
            info = await poll_async(
                lambda: api.list_schedules(), lambda found: found[0].last_status == "SUCCESS"
            )
        assert info[0].last_run_at == tick

    asyncio.run(main())


# --- the command line -----------------------------------------------------------------------


def _pgqrs(dsn: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m pgqrs ARGS --dsn DSN``."""
    return subprocess.run(
        [sys.executable, "-m", "pgqrs", *args, "--dsn", dsn],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_schedules_commands(dsn: str) -> None:
    done = _pgqrs(
        dsn,
        "schedules",
        "set",
        "nightly",
        "report",
        "0 3 * * *",
        "--timezone",
        "Europe/Paris",
        "--input",
        '{"team": "ops"}',
        "--missed",
        "catch_up",
        "--catch-up-limit",
        "5",
        "--queue",
        "reports",
    )
    assert done.returncode == 0, done.stderr
    assert "cron:          0 3 * * * (Europe/Paris)" in done.stdout
    assert "missed ticks:  catch_up (at most 5 ticks)" in done.stdout
    assert 'options:       {"queue": "reports"}' in done.stdout

    listed = _pgqrs(dsn, "schedules", "list")
    assert listed.returncode == 0, listed.stderr
    header, _, row = listed.stdout.splitlines()
    assert header.split() == [
        "name",
        "workflow",
        "cron",
        "timezone",
        "state",
        "next",
        "last",
        "last",
        "status",
    ]
    assert row.split()[:9] == [
        "nightly",
        "report",
        "0",
        "3",
        "*",
        "*",
        "*",
        "Europe/Paris",
        "running",
    ]
    assert row.split()[9] == "in"

    assert _pgqrs(dsn, "schedules", "pause", "nightly").stdout == "paused nightly\n"
    assert " paused " in _pgqrs(dsn, "schedules", "list").stdout
    assert _pgqrs(dsn, "schedules", "resume", "nightly").stdout == "resumed nightly\n"
    for action in ("pause", "resume"):
        missing = _pgqrs(dsn, "schedules", action, "nope")
        assert (missing.returncode, missing.stderr) == (
            1,
            "pgqrs: error: no schedule named 'nope'\n",
        )
    assert _pgqrs(dsn, "schedules", "delete", "nightly").stdout == "deleted nightly\n"
    again = _pgqrs(dsn, "schedules", "delete", "nightly")
    assert (again.returncode, again.stdout) == (
        0,
        "no schedule named 'nightly': nothing to delete\n",
    )
    assert _pgqrs(dsn, "schedules", "list").stdout == "no schedules\n"

    bad = _pgqrs(dsn, "schedules", "set", "x", "report", "61 * * * *")
    assert bad.returncode == 1
    assert bad.stderr == 'pgqrs: error: cron minute field "61": 61 is not in [0, 59]\n'
    usage = _pgqrs(dsn, "schedules", "set", "x", "report", "* * * * *", "--input", "{bad")
    assert usage.returncode == 2 and "--input: not JSON" in usage.stderr


@workflow(schedule="0 25 * * *")
async def never(ctx: PyWorkflow, tick: dict[str, Any]) -> None:
    return None


def test_a_worker_with_an_invalid_schedule_does_not_start(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            worker = pgqrs.Worker(store, [never])
            with pytest.raises(pgqrs.InvalidArgumentError, match='cron hour field "25"'):
                await worker.run()
            assert await pgqrs.admin(store).list_workers() == []

    asyncio.run(main())
