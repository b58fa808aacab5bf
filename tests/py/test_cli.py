"""The pgqrs command line: install, inspection (status, workflows list|show, revive), failure
control (workflows cancel|resume|fork), retention (prune) and the worker, each run as
`python -m pgqrs` against a fresh database."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from helpers import later, poll, with_fake_now

import pgqrs
from pgqrs import SyncWorkflow, _cli, _install
from pgqrs._results import WorkflowInfo
from pgqrs.decorators import step, workflow

# --- helpers --------------------------------------------------------------------------------

WORKER_MODULE = '''
"""Served by `pgqrs worker tests_worker_module` in test_worker_runs_and_drains."""

from pgqrs import PyWorkflow, SyncWorkflow
from pgqrs.decorators import step, workflow


@step
async def shout(ctx: PyWorkflow, text: str) -> str:
    return text.upper()


@workflow
async def greet(ctx: PyWorkflow, name: str) -> str:
    return await shout(ctx, "hello " + name)


@step
def square(ctx: SyncWorkflow, x: int) -> int:
    return x * x


@workflow
def squares(ctx: SyncWorkflow, n: int) -> list[int]:
    return [square(ctx, i) for i in range(n)]
'''


@step
def fetch(ctx: SyncWorkflow, n: int) -> dict[str, Any]:
    return {"n": n, "items": list(range(n))}


@step
def explode(ctx: SyncWorkflow, n: int) -> None:
    raise ValueError(f"bad input {n}")


@workflow
def good(ctx: SyncWorkflow, n: int) -> dict[str, Any]:
    return fetch(ctx, n)


@workflow
def bad(ctx: SyncWorkflow, n: int) -> None:
    fetch(ctx, n)
    explode(ctx, n)


def _pgqrs(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m pgqrs ARGS``."""
    return subprocess.run(
        [sys.executable, "-m", "pgqrs", *args], capture_output=True, text=True, timeout=60
    )


def _ok(*args: str) -> str:
    """Run pgqrs and return its stdout; fail on a non-zero exit."""
    done = _pgqrs(*args)
    assert done.returncode == 0, f"pgqrs {args} exited {done.returncode}:\n{done.stderr}"
    return done.stdout


def _rows(output: str) -> list[list[str]]:
    """The data rows of the first table in ``output`` (after its header and rule), split on
    runs of two or more spaces."""
    lines = output.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("---"))
    rows = []
    for line in lines[rule + 1 :]:
        if not line.strip():
            break
        rows.append(re.split(r"\s{2,}", line.strip()))
    return rows


def _ran(dsn: str) -> tuple[str, str]:
    """Run ``good`` and ``bad`` in this process; return their ids."""
    with pgqrs.connect_sync(dsn, runner_id="tester") as store:
        api = pgqrs.admin(store)
        ctx = api.create_workflow("good", 3)
        good(ctx, 3)
        ctx_bad = api.create_workflow("bad", 4)
        with pytest.raises(ValueError, match="bad input 4"):
            bad(ctx_bad, 4)
    return str(ctx.id), str(ctx_bad.id)


def _dead(dsn: str) -> str:
    """A DEAD workflow, made the way a crash loop makes one: worker 'crashy' claims it with a
    one-second lease, the lease expires (pgqrs.fake_now) and the next claim finds it has crashed
    more than max_recoveries (0) times."""
    with pgqrs.connect_sync(dsn) as store:
        handle = pgqrs.admin(store).start_workflow("fragile", {"k": 1}, max_recoveries=0)
    claim = (
        "select workflow_id from pgqrs.claim_workflows("
        "p_worker => 'crashy', p_limit => 10, p_lease_seconds => 1)"
    )
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "select pgqrs.register_worker(p_worker => 'crashy', p_workflows => '{fragile}')"
        )
        assert [r[0] for r in conn.execute(claim).fetchall()] == [handle.id]
        stamp = later(dsn, 60).isoformat()
        conn.execute("select pg_catalog.set_config('pgqrs.fake_now', %s, false)", (stamp,))
        assert conn.execute(claim).fetchall() == []  # moved to DEAD, not handed out
        conn.execute("reset pgqrs.fake_now")
        conn.execute("select pgqrs.worker_heartbeat(p_worker => 'crashy')")
    return str(handle.id)


def _info(dsn: str, workflow_id: str) -> WorkflowInfo:
    with pgqrs.connect_sync(dsn) as store:
        return pgqrs.admin(store).get_workflow(workflow_id)


def _steps(dsn: str, workflow_id: str) -> list[tuple[str, str, Any]]:
    """``(key, status, output)`` of each recorded step."""
    with pgqrs.connect_sync(dsn) as store:
        return [(s.key, s.status, s.output) for s in pgqrs.admin(store).list_steps(workflow_id)]


# --- install and version ------------------------------------------------------------------


def test_install_and_version(empty_dsn: str) -> None:
    first = _pgqrs("--dsn", empty_dsn, "install")
    assert first.returncode == 0, first.stderr
    latest = _install.Scripts.load().latest
    assert first.stdout.strip() == f"applied pgqrs--{latest}.sql"
    again = _pgqrs("--dsn", empty_dsn, "install")
    assert again.stdout.strip() == "pgqrs is up to date"
    version = _pgqrs("--dsn", empty_dsn, "version")
    assert version.stdout.strip() == latest


def test_missing_dsn_is_a_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pgqrs", "install"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 2
    assert "no database" in done.stderr


# --- inspection -----------------------------------------------------------------------------


def test_status_counts_workflows_and_lists_workers(dsn: str) -> None:
    _ran(dsn)
    _dead(dsn)
    with pgqrs.connect_sync(dsn) as store:
        for i in range(2):
            pgqrs.admin(store).start_workflow("unserved", i)

    out = _ok("--dsn", dsn, "status")
    counts = _rows(out)
    assert [row[:3] for row in counts] == [
        ["bad", "FAILED", "1"],
        ["fragile", "DEAD", "1"],
        ["good", "SUCCESS", "1"],
        ["unserved", "PENDING", "2"],
    ]
    served = {row[0]: row[4] for row in counts}
    assert served == {"bad": "no", "fragile": "yes", "good": "no", "unserved": "no"}
    assert all(re.fullmatch(r"\d+s ago", row[3]) for row in counts), counts
    assert out.splitlines()[0].split() == ["name", "status", "count", "oldest", "served"]

    workers_part = out.split("\n\n", 1)[1]
    assert workers_part.splitlines()[0].split() == [
        "name", "alive", "host", "pid", "concurrency", "running", "heartbeat", "serves",
    ]  # fmt: skip
    (crashy,) = _rows(workers_part)
    assert crashy[:2] == ["crashy", "yes"]
    assert crashy[-1] == "fragile"


def test_status_of_an_empty_database(dsn: str) -> None:
    assert _ok("status", "--dsn", dsn) == "no workflows\n\nno workers registered\n"


def test_workflows_list_filters(dsn: str) -> None:
    good_id, bad_id = _ran(dsn)
    out = _ok("--dsn", dsn, "workflows", "list")
    assert out.splitlines()[0].split() == [
        "id", "name", "status", "queue", "owner", "recoveries", "created", "finished",
        "available", "held", "by",
    ]  # fmt: skip
    rows = _rows(out)
    assert [row[:3] for row in rows] == [[bad_id, "bad", "FAILED"], [good_id, "good", "SUCCESS"]]
    assert rows[0][3:6] == ["default", "-", "0"]
    assert re.fullmatch(r"\d+s ago", rows[0][6]) and re.fullmatch(r"\d+s ago", rows[0][7])
    assert rows[0][8:] == ["-", "-"]  # finished: not available, nothing holds it

    failed = _rows(_ok("--dsn", dsn, "workflows", "list", "--status", "failed"))
    assert [row[0] for row in failed] == [bad_id]
    named = _rows(_ok("--dsn", dsn, "workflows", "list", "--name", "good"))
    assert [row[0] for row in named] == [good_id]
    newest = _rows(_ok("--dsn", dsn, "workflows", "list", "--limit", "1"))
    assert [row[0] for row in newest] == [bad_id]
    assert _ok("--dsn", dsn, "workflows", "list", "--name", "nope") == "no workflows\n"


def test_workflows_show_a_failed_workflow(dsn: str) -> None:
    _good_id, bad_id = _ran(dsn)
    out = _ok("--dsn", dsn, "workflows", "show", bad_id)
    head, steps, attempts = out.split("\n\n")
    assert f"id:               {bad_id}" in head
    assert "status:           FAILED" in head
    assert "input:            4" in head
    assert "error:            ValueError: bad input 4" in head
    assert "lease owner:      -" in head
    assert "recoveries:       0 of 5" in head
    assert re.search(r"^finished: +\d+s ago \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)$", head, re.M)
    assert "traceback:\n  Traceback (most recent call last):" in head
    assert 'raise ValueError(f"bad input {n}")' in head
    rows = _rows(steps)
    assert [row[:3] for row in rows] == [["fetch", "SUCCESS", "1"], ["explode", "FAILED", "1"]]
    assert rows[0][-1] == '{"n": 4, "items": [0, 1, 2, 3]}'
    assert rows[1][-1] == "ValueError: bad input 4"
    assert "deadline:         -" in head
    assert "forked from:      -" in head
    assert "attempt:" not in head  # a workflow without workflow retries
    assert attempts.splitlines()[0] == "attempts:"
    assert attempts.splitlines()[1].split() == [
        "position", "key", "attempt", "status", "owner", "started", "took", "error",
    ]  # fmt: skip
    tried = _rows(attempts)
    assert [row[:5] for row in tried] == [
        ["1", "fetch", "1", "SUCCESS", "tester"],
        ["2", "explode", "1", "FAILED", "tester"],
    ]
    assert tried[0][-1] == "-" and tried[1][-1] == "ValueError: bad input 4"
    assert all(re.fullmatch(r"\d+s ago", row[5]) for row in tried)
    assert all(re.fullmatch(r"\d+ms", row[6]) for row in tried), tried  # fast steps: in ms


def test_workflows_show_truncates_long_step_values(dsn: str) -> None:
    with pgqrs.connect_sync(dsn) as store:
        api = pgqrs.admin(store)
        ctx = api.create_workflow("good", 100)
        good(ctx, 100)
    out = _ok("--dsn", dsn, "workflows", "show", str(ctx.id))
    assert 'output:           {"n": 100, "items": [0, 1, 2,' in out  # the field is whole
    (fetched,) = _rows(out.split("\n\n")[1])
    assert fetched[-1].startswith('{"n": 100, "items": [0, 1,')
    assert fetched[-1].endswith("...") and len(fetched[-1]) == 60


def test_unknown_or_malformed_workflow_id_is_one_line_and_exit_1(dsn: str) -> None:
    unknown = "01900000-0000-7000-8000-000000000000"
    for args in (
        ("workflows", "show", unknown),
        ("revive", unknown),
        ("workflows", "cancel", unknown),
        ("workflows", "resume", unknown),
        ("workflows", "fork", unknown),
    ):
        done = _pgqrs("--dsn", dsn, *args)
        assert done.returncode == 1, done
        assert done.stdout == ""
        assert done.stderr == f"pgqrs: error: workflow {unknown} does not exist\n"
    done = _pgqrs("--dsn", dsn, "workflows", "show", "not-a-uuid")
    assert (done.returncode, done.stderr) == (
        1,
        "pgqrs: error: not a valid workflow id: 'not-a-uuid'\n",
    )


def test_database_errors_are_one_line(empty_dsn: str) -> None:
    done = _pgqrs("--dsn", empty_dsn, "status")  # no schema
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "pgqrs is not installed in this database: run `pgqrs install`" in done.stderr


def test_revive_a_dead_workflow(dsn: str) -> None:
    dead = _dead(dsn)
    shown = _ok("--dsn", dsn, "workflows", "show", dead)
    assert "status:           DEAD" in shown
    assert (
        "error:            pgqrs.CrashLoop: its runner died 1 times (max_recoveries is 0)" in shown
    )
    assert "recoveries:       1 of 0" in shown

    out = _ok("--dsn", dsn, "revive", dead)
    assert out.startswith(f"revived workflow {dead} (fragile): queued again")
    with pgqrs.connect_sync(dsn) as store:
        info = pgqrs.admin(store).get_workflow(dead)
    assert (info.status, info.recoveries, info.error, info.queued) == ("RUNNING", 0, None, True)

    again = _pgqrs("--dsn", dsn, "revive", dead)
    assert again.returncode == 1
    assert again.stderr == f"pgqrs: error: workflow {dead} is RUNNING, not DEAD\n"


def test_workflows_show_lists_every_attempt(dsn: str) -> None:
    """A step that fails three times under a 3-attempt policy, recorded through the SQL API
    (begin_step, fail_step_attempt) with the pgqrs clock (pgqrs.fake_now) an hour ago, so the
    times and durations are exact."""
    t0 = later(dsn, -3600)
    long_message = "no answer\nfrom " + "x" * 100
    with psycopg.connect(dsn, autocommit=True) as conn:

        def at(seconds: float) -> None:
            stamp = (t0 + timedelta(seconds=seconds)).isoformat()
            conn.execute("select pg_catalog.set_config('pgqrs.fake_now', %s, false)", (stamp,))

        def sql(query: Any, *params: Any) -> tuple[Any, ...]:
            row = conn.execute(query, params).fetchone()
            assert row is not None
            return tuple(row)

        def begin(key: str, position: int) -> tuple[Any, ...]:
            return sql(
                "select status, attempt from pgqrs.begin_step(p_workflow_id => %s,"
                " p_step_key => %s, p_token => %s, p_position => %s, p_max_attempts => 3)",
                wid, key, token, position,
            )  # fmt: skip

        def fail(kind: str, message: str) -> tuple[Any, ...]:
            error = json.dumps({"type": kind, "message": message, "traceback": None})
            return sql(
                "select status, attempt from pgqrs.fail_step_attempt(p_workflow_id => %s,"
                " p_step_key => 'charge', p_token => %s, p_error => %s::jsonb)",
                wid, token, error,
            )  # fmt: skip

        at(0)
        options = {"queue": False, "max_attempts": 2, "deadline": later(dsn, 3600).isoformat()}
        (wid,) = sql(
            "select workflow_id from pgqrs.submit_workflow(p_name => 'pay',"
            " p_input => %s::jsonb, p_options => %s::jsonb)",
            json.dumps({"card": "4242"}),
            json.dumps(options),
        )
        (token,) = sql(
            "select token from pgqrs.acquire_workflow(p_workflow_id => %s,"
            " p_owner => 'runner-a', p_lease_seconds => 3600)",
            wid,
        )
        assert begin("fetch", 1) == ("EXECUTE", 1)
        at(1)
        sql(
            "select pgqrs.complete_step(p_workflow_id => %s, p_step_key => 'fetch',"
            " p_token => %s, p_output => %s::jsonb)",
            wid, token, json.dumps({"ok": True}),
        )  # fmt: skip
        assert begin("charge", 2) == ("EXECUTE", 1)
        at(3)
        assert fail("ConnectionError", "card service down") == ("RETRYING", 1)
        at(10)
        assert begin("charge", 2) == ("EXECUTE", 2)
        at(15)
        assert fail("TimeoutError", long_message) == ("RETRYING", 2)

        retrying = _ok("--dsn", dsn, "workflows", "show", str(wid))
        _head, steps, attempts = retrying.split("\n\n")
        assert [row[:3] for row in _rows(steps)] == [
            ["fetch", "SUCCESS", "1"],
            ["charge", "RETRYING", "2"],
        ]
        assert [row[:4] for row in _rows(attempts)] == [
            ["1", "fetch", "1", "SUCCESS"],
            ["2", "charge", "1", "FAILED"],
            ["2", "charge", "2", "FAILED"],
        ]

        at(100)
        assert begin("charge", 2) == ("EXECUTE", 3)
        at(130)
        assert fail("ConnectionError", "card service down again") == ("FAILED", 3)
        assert begin("notify", 3) == ("EXECUTE", 1)

    out = _ok("--dsn", dsn, "workflows", "show", str(wid))
    head, steps, attempts = out.split("\n\n")
    assert "status:           RUNNING" in head
    assert "lease owner:      runner-a" in head
    assert "attempt:          1 of 2 (retry backoff 1s, at most 1h00m)" in head
    assert re.search(r"^deadline: +in \S+ \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)$", head, re.M)
    assert "forked from:      -" in head
    assert [row[:3] + row[-1:] for row in _rows(steps)] == [
        ["fetch", "SUCCESS", "1", '{"ok": true}'],
        ["charge", "FAILED", "3", "ConnectionError: card service down again"],
        ["notify", "RUNNING", "1", "-"],
    ]
    assert attempts.startswith("attempts:\nposition  key ")
    rows = _rows(attempts)
    assert [row[:5] + row[6:] for row in rows] == [
        ["1", "fetch", "1", "SUCCESS", "runner-a", "1s", "-"],
        ["2", "charge", "1", "FAILED", "runner-a", "2s", "ConnectionError: card service down"],
        ["2", "charge", "2", "FAILED", "runner-a", "5s",
         ("TimeoutError: no answer from " + "x" * 100)[:57] + "..."],
        ["2", "charge", "3", "FAILED", "runner-a", "30s",
         "ConnectionError: card service down again"],
        ["3", "notify", "1", "RUNNING", "runner-a", "-", "-"],
    ]  # fmt: skip
    assert all(re.fullmatch(r"(\d+m\d\ds|1h00m) ago", row[5]) for row in rows), rows


# --- failure control ------------------------------------------------------------------------


def test_workflows_cancel(dsn: str) -> None:
    good_id, _bad_id = _ran(dsn)
    with pgqrs.connect_sync(dsn) as store:
        pending = str(pgqrs.admin(store).start_workflow("unserved", 1).id)
        running = str(pgqrs.admin(store).start_workflow("unserved", 2).id)
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "select token from pgqrs.acquire_workflow(p_workflow_id => %s, p_owner => 'holder')",
            (running,),
        ).fetchone()
        assert row is not None
        token = row[0]

        out = _ok("--dsn", dsn, "workflows", "cancel", pending, "--reason", "not needed")
        assert out == f"cancelled {pending}\n"
        assert _ok("--dsn", dsn, "workflows", "cancel", running.upper()) == f"cancelled {running}\n"

        # the holder of the cancelled RUNNING workflow is fenced out: it can start no step
        with pytest.raises(psycopg.Error) as raised:
            conn.execute(
                "select pgqrs.begin_step(p_workflow_id => %s, p_step_key => 'fetch',"
                " p_token => %s, p_position => 1)",
                (running, token),
            )
        assert raised.value.sqlstate == "PQ011"

    cancelled = _info(dsn, pending)
    assert cancelled.status == "CANCELLED" and cancelled.finished_at is not None
    assert cancelled.error == {
        "type": "pgqrs.Cancelled", "message": "not needed", "traceback": None,
    }  # fmt: skip
    held = _info(dsn, running)
    assert (held.status, held.lease_owner, held.error and held.error["message"]) == (
        "CANCELLED", None, "cancelled",
    )  # fmt: skip

    # Cancelling again, or cancelling a finished workflow, changes nothing and still exits 0.
    for workflow_id, status in ((pending, "CANCELLED"), (good_id, "SUCCESS")):
        before = _info(dsn, workflow_id)
        done = _pgqrs("--dsn", dsn, "workflows", "cancel", workflow_id, "--reason", "again")
        assert (done.returncode, done.stdout, done.stderr) == (
            0, f"{workflow_id} is already {status}: nothing to cancel\n", "",
        )  # fmt: skip
        assert _info(dsn, workflow_id) == before

    listed = _rows(_ok("--dsn", dsn, "workflows", "list", "--status", "cancelled"))
    assert sorted(row[0] for row in listed) == sorted([pending, running])
    assert {row[2] for row in listed} == {"CANCELLED"}
    assert "status:           CANCELLED" in _ok("--dsn", dsn, "workflows", "show", pending)
    assert "error:            pgqrs.Cancelled: not needed" in _ok(
        "--dsn", dsn, "workflows", "show", pending
    )

    done = _pgqrs("--dsn", dsn, "workflows", "cancel", good_id, "--reason", "x" * 1001)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "pgqrs: error: cancel reason is longer than 1000 characters\n"


def test_workflows_resume(dsn: str) -> None:
    good_id, bad_id = _ran(dsn)
    assert _info(dsn, bad_id).status == "FAILED"

    out = _ok("--dsn", dsn, "workflows", "resume", bad_id)
    assert out == f"resumed {bad_id}: queued for a worker\n"
    info = _info(dsn, bad_id)
    assert (info.status, info.queued, info.error, info.lease_owner, info.finished_at) == (
        "RUNNING", True, None, None, None,
    )  # fmt: skip
    # the completed step stays completed; the failed one gets a fresh attempt budget
    assert [s[:2] for s in _steps(dsn, bad_id)] == [("fetch", "SUCCESS"), ("explode", "RETRYING")]
    # ... and a worker serving 'bad' claims it at once
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("select pgqrs.register_worker(p_worker => 'w', p_workflows => '{bad}')")
        claimed = conn.execute(
            "select workflow_id from pgqrs.claim_workflows(p_worker => 'w', p_limit => 10)"
        ).fetchall()
    assert claimed == [(UUID(bad_id),)]

    for workflow_id, status in ((bad_id, "RUNNING (queued for workers)"), (good_id, "SUCCESS")):
        before = _info(dsn, workflow_id)
        done = _pgqrs("--dsn", dsn, "workflows", "resume", workflow_id)
        assert (done.returncode, done.stdout, done.stderr) == (
            1,
            "",
            f"pgqrs: error: workflow {workflow_id} is {status}; only FAILED, DEAD or CANCELLED "
            "ones, or an abandoned inline run, resume\n",
        )
        assert _info(dsn, workflow_id) == before


def test_workflows_fork(dsn: str) -> None:
    good_id, bad_id = _ran(dsn)
    source = _info(dsn, bad_id)

    out = _ok("--dsn", dsn, "workflows", "fork", bad_id, "--from-step", "explode")
    fork_id = out.strip()
    assert out == f"{fork_id}\n" and UUID(fork_id) != UUID(bad_id)
    fork = _info(dsn, fork_id)
    assert (fork.name, fork.input, fork.status, fork.queued, fork.forked_from) == (
        "bad", 4, "PENDING", True, UUID(bad_id),
    )  # fmt: skip
    # the steps before 'explode' keep their outcome; 'explode' and later ones run again
    assert _steps(dsn, fork_id) == [("fetch", "SUCCESS", {"n": 4, "items": [0, 1, 2, 3]})]
    assert _info(dsn, bad_id) == source  # the source is left as it is
    assert f"forked from:      {bad_id}" in _ok("--dsn", dsn, "workflows", "show", fork_id)

    new_id = "01900000-0000-7000-8000-0000000000f1"
    assert _ok("--dsn", dsn, "workflows", "fork", bad_id, "--id", new_id) == f"{new_id}\n"
    assert _steps(dsn, new_id) == []  # no --from-step: everything runs again
    assert _ok("--dsn", dsn, "workflows", "fork", bad_id, "--id", new_id) == f"{new_id}\n"
    named = _rows(_ok("--dsn", dsn, "workflows", "list", "--name", "bad"))
    assert sorted(row[0] for row in named) == sorted([bad_id, fork_id, new_id])

    done = _pgqrs("--dsn", dsn, "workflows", "fork", bad_id, "--from-step", "nope")
    assert (done.returncode, done.stdout, done.stderr) == (
        1, "", f"pgqrs: error: workflow {bad_id} has no step nope\n",
    )  # fmt: skip
    done = _pgqrs("--dsn", dsn, "workflows", "fork", bad_id, "--id", good_id)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"pgqrs: error: workflow {good_id} already exists and is not a fork of {bad_id}\n"
    )


# --- the worker -----------------------------------------------------------------------------


def test_worker_runs_and_drains(dsn: str, tmp_path: Path) -> None:
    (tmp_path / "tests_worker_module.py").write_text(WORKER_MODULE, encoding="utf-8")
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])),
        "PYTHONUNBUFFERED": "1",
    }
    args = ["--dsn", dsn, "worker", "tests_worker_module", "--name", "cli-worker"]
    args += ["--retention", "30d"]
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pgqrs", *args, "--concurrency", "2", "--poll-interval", "1"],
            stdout=subprocess.DEVNULL,
            stderr=log,
            env=env,
        )
    try:

        async def run_both() -> list[Any]:
            async with await pgqrs.connect(dsn) as store:
                api = pgqrs.admin(store)
                handles = [
                    await api.start_workflow("greet", "bob"),
                    await api.start_workflow("squares", 4),
                ]
                return [await h.result(timeout=30) for h in handles]

        assert asyncio.run(run_both()) == ["HELLO BOB", [0, 1, 4, 9]]
        workers = _rows(_ok("--dsn", dsn, "status").split("\n\n", 1)[1])
        assert [w[:2] + w[-1:] for w in workers] == [["cli-worker", "yes", "greet, squares"]]

        proc.send_signal(signal.SIGTERM)
        assert poll(lambda: proc.poll() is not None, timeout=30, what="the worker to exit")
        assert proc.returncode == 0, log_path.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log = log_path.read_text()
    assert re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO ", log, re.M), log
    assert "worker cli-worker started: serves greet, squares" in log
    assert "worker cli-worker prunes workflows finished over 30d ago, every 60s" in log
    assert log.count("worker cli-worker claims ") == 2, log
    assert log.count("worker cli-worker finished ") == 2, log
    assert "SIGTERM received, draining" in log
    assert "worker cli-worker stopped; released 0 leases" in log
    workers = _rows(_ok("--dsn", dsn, "status").split("\n\n", 1)[1])
    assert [w[:2] for w in workers] == [["cli-worker", "no"]]


def test_worker_puts_the_current_directory_on_the_path(dsn: str, tmp_path: Path) -> None:
    (tmp_path / "no_flows_here.py").write_text("X = 1\n", encoding="utf-8")
    # -P: python itself does not put the current directory on sys.path, as with the installed
    # `pgqrs` script; the CLI must find the module anyway.
    done = subprocess.run(
        [sys.executable, "-P", "-m", "pgqrs", "--dsn", dsn, "worker", "no_flows_here"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("pgqrs: error: module 'no_flows_here' (")
    assert done.stderr.endswith("has no @workflow functions\n")


def test_worker_usage_errors(dsn: str) -> None:
    done = _pgqrs("--dsn", dsn, "worker", "no_such_module_anywhere")
    assert done.returncode == 2
    assert "no module named 'no_such_module_anywhere'" in done.stderr
    done = _pgqrs("--dsn", dsn, "worker", "json", "--listen-dsn", "not a dsn")
    assert done.returncode == 2
    assert done.stderr.startswith("pgqrs: error: --listen-dsn: ")
    done = _pgqrs("--dsn", dsn, "worker", "json", "--concurrency", "0")
    assert done.returncode == 2
    assert "--concurrency: must be 1 or more" in done.stderr


# --- prune ----------------------------------------------------------------------------------


def _old_workflows(dsn: str, count: int, *, days_ago: float = 400) -> list[str]:
    """``count`` workflows ``good`` run to SUCCESS ``days_ago`` days ago (the fake clock)."""
    with pgqrs.connect_sync(with_fake_now(dsn, later(dsn, -days_ago * 86400))) as store:
        api = pgqrs.admin(store)
        ids = []
        for n in range(count):
            ctx = api.create_workflow("good", n)
            good(ctx, n)
            ids.append(str(ctx.id))
    return ids


def test_prune_deletes_batch_after_batch_with_progress(dsn: str) -> None:
    old = _old_workflows(dsn, 5)
    recent = _old_workflows(dsn, 1, days_ago=1)
    done = _pgqrs("--dsn", dsn, "prune", "--older-than", "30d", "--batch", "2", "--pause", "0")
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(
        r"deleted 5 workflows, 5 steps, 0 step attempts, 0 messages, 0 events in 3 batches"
        r" \(\d+\.\ds\)\n",
        done.stdout,
    ), done.stdout
    # Not a terminal: one progress line per batch, with running totals and the rate.
    lines = done.stderr.splitlines()
    assert [line.split(";")[0] for line in lines] == [
        "batch 1: 2 workflows, 0 messages",
        "batch 2: 2 workflows, 0 messages",
        "batch 3: 1 workflows, 0 messages",
    ], done.stderr
    assert "total 4 workflows, 4 steps, 0 step attempts, 0 messages, 0 events" in lines[1]
    assert re.search(r"; \d+ workflows/s$", lines[2]), lines[2]
    for workflow_id in old:
        with pytest.raises(pgqrs.WorkflowNotFoundError):
            _info(dsn, workflow_id)
    assert _info(dsn, recent[0]).status == "SUCCESS"
    # Nothing left: one batch, zeros, as JSON.
    again = _pgqrs("--dsn", dsn, "prune", "--older-than", "12h", "--json")
    assert again.returncode == 0, again.stderr
    totals = json.loads(again.stdout)
    assert {k: v for k, v in totals.items() if k != "seconds"} == {
        "workflows": 1,
        "steps": 1,
        "step_attempts": 0,
        "messages": 0,
        "events": 0,
        "batches": 1,
    }


def test_prune_pauses_between_batches_by_default(dsn: str) -> None:
    _old_workflows(dsn, 2)
    # Three batches of one tree (the last finds nothing), so two pauses of at least 1 s.
    out = _ok("--dsn", dsn, "prune", "--older-than", "30d", "--batch", "1", "--json")
    totals = json.loads(out)
    assert (totals["workflows"], totals["batches"]) == (2, 3)
    assert totals["seconds"] >= 2.0, totals


def test_prune_keeps_dead_workflows_unless_asked(dsn: str) -> None:
    dead = _dead(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:  # make the crash loop a year old
        conn.execute(
            "UPDATE pgqrs.workflows SET updated_at = updated_at - interval '1 year' WHERE id = %s",
            (dead,),
        )
    assert json.loads(_ok("--dsn", dsn, "prune", "--older-than", "1w", "--json"))["workflows"] == 0
    assert _info(dsn, dead).status == "DEAD"
    out = _ok("--dsn", dsn, "prune", "--older-than", "1w", "--include-dead", "--json")
    assert json.loads(out)["workflows"] == 1


def test_prune_waits_for_another_pruner_then_gives_up(dsn: str) -> None:
    _old_workflows(dsn, 1)
    with psycopg.connect(dsn) as holder:  # a transaction that pruned and has not committed
        holder.execute("SELECT * FROM pgqrs.prune(interval '1 day')")
        done = _pgqrs("--dsn", dsn, "prune", "--older-than", "1d", "--wait", "0.3")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "another session is pruning this database; waiting for it",
        "pgqrs: error: another session kept pruning this database for 0.3s: try again later, "
        "or pass a longer --wait",
    ]
    assert done.stdout == ""


def test_prune_usage_errors(dsn: str) -> None:
    for value, message in (
        ("30", "'30' is not a duration: give a number and a unit"),
        ("thirty days", "is not a duration"),
        ("10s", "must be between 1 minute and 100 years"),
        ("0d", "must be between 1 minute and 100 years"),
    ):
        done = _pgqrs("--dsn", dsn, "prune", "--older-than", value)
        assert done.returncode == 2, (value, done.stderr)
        assert message in done.stderr, (value, done.stderr)
    done = _pgqrs("--dsn", dsn, "prune")
    assert done.returncode == 2
    assert "--older-than" in done.stderr
    done = _pgqrs("--dsn", dsn, "prune", "--older-than", "1d", "--batch", "100001")
    assert done.returncode == 1  # the SQL's bound: PQ008, one line
    assert done.stderr.startswith("pgqrs: error: prune limit must be between 1 and 100000")


def test_durations() -> None:
    assert _cli._duration("30d") == timedelta(days=30)
    assert _cli._duration("12h") == timedelta(hours=12)
    assert _cli._duration("90m") == timedelta(minutes=90)
    assert _cli._duration("3600s") == timedelta(hours=1)
    assert _cli._duration("1w") == timedelta(weeks=1)
    assert _cli._duration(" 1D12h ") == timedelta(days=1, hours=12)
    for bad in ("", "d", "1.5d", "-1d", "1y", "1d 2h", "30"):
        with pytest.raises(argparse.ArgumentTypeError):
            _cli._duration(bad)


def test_progress_on_a_terminal_rewrites_one_line() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    progress = _cli.Progress(screen)
    progress.line("batch 1")
    progress.line("batch 2")
    progress.note("waiting")
    progress.line("batch 3")
    progress.done()
    progress.done()
    assert screen.getvalue() == ("\r\x1b[2Kbatch 1\r\x1b[2Kbatch 2\nwaiting\n\r\x1b[2Kbatch 3\n")


# --- formatting -----------------------------------------------------------------------------


def test_ages_and_tables() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert _cli.ago(None, now) == "-"
    assert _cli.ago(now - timedelta(seconds=12.7), now) == "12s ago"
    assert _cli.ago(now - timedelta(minutes=3, seconds=2), now) == "3m02s ago"
    assert _cli.ago(now - timedelta(hours=2, minutes=5), now) == "2h05m ago"
    assert _cli.ago(now - timedelta(days=3, hours=4), now) == "3d04h ago"
    assert _cli.ago(now + timedelta(seconds=20), now) == "in 20s"
    assert _cli.table(("a", "long header"), [("x" * 5, 1), ("y", "two\nlines")]) == (
        "a      long header\n-----  -----------\nxxxxx  1\ny      two lines"
    )
    assert _cli.clip("abcdef", 5) == "ab..."


# --- every command ----------------------------------------------------------------------------


def _leaf_commands(parser: Any, path: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    import argparse

    found: set[tuple[str, ...]] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found |= _leaf_commands(child, (*path, name)) or {(*path, name)}
    return found


@workflow
def add(ctx: SyncWorkflow, a: int, b: int = 0) -> int:
    return a + b


@workflow
def publish(ctx: SyncWorkflow, value: Any) -> str:
    ctx_event(ctx, value)
    return "published"


def ctx_event(ctx: SyncWorkflow, value: Any) -> None:
    ctx.set_event("answer", value)


def test_every_command_runs(dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Each command of the parser, run in process with the exit status and output it
    documents; `worker` runs in its own process in test_worker_runs_and_drains."""
    ran: set[tuple[str, ...]] = set()

    def cli(*args: str, status: int = 0) -> str:
        words = [a for a in args if not a.startswith("-") and a != dsn]
        groups = ("workflows", "queues", "event", "schedules")
        command = tuple(words[:2]) if words[0] in groups else (words[0],)
        ran.add(command)
        code = _cli.main(["--dsn", dsn, *args] if "--dsn" not in args else list(args))
        out, err = capsys.readouterr()
        assert code == status, f"pgqrs {args}: exit {code}\n{out}{err}"
        return out if status == 0 else err

    good_id, bad_id = _ran(dsn)
    assert cli("install") == "pgqrs is up to date\n"
    assert cli("install", "--print-sql").startswith("-- pgqrs ")
    assert cli("version").strip() == _install.Scripts.load().latest
    assert json.loads(cli("status", "--json"))["workflows"][0]["name"] == "bad"
    assert json.loads(cli("workers", "--json")) == []
    listed = json.loads(cli("workflows", "--dsn", dsn, "list", "--json"))  # --dsn anywhere
    assert {w["id"]: w["held_by"] for w in listed} == {good_id: None, bad_id: None}
    shown = json.loads(cli("workflows", "show", bad_id, "--json"))
    assert shown["workflow"]["status"] == "FAILED"
    assert [s["key"] for s in shown["steps"]] == ["fetch", "explode"]

    # start (by name, with --args/--kwargs) and wait for it with a worker serving `add`
    started = cli("start", "add", "--args", "[2]", "--kwargs", '{"b": 3}', "--queue", "math")
    added = started.strip()
    with pgqrs.connect_sync(dsn) as store:
        info = pgqrs.admin(store).get_workflow(added)
        assert info.input == {"$args": [2], "$kwargs": {"b": 3}}
    assert "no live worker serves 'add'" in cli("wait", added, "--timeout", "0.2", status=3)

    async def serve() -> None:
        async with await pgqrs.connect(dsn) as store:
            worker = pgqrs.Worker(store, [add, publish])
            task = asyncio.create_task(worker.run())
            try:
                await asyncio.to_thread(lambda: cli("wait", added) == "5\n" or pytest.fail())
                out = await asyncio.to_thread(
                    cli, "start", "publish", "--input", '{"x": 1}', "--wait"
                )
                assert out == '"published"\n'
                failing = await asyncio.to_thread(
                    cli, "start", "add", "--input", '"a"', "--wait", status=1
                )
                assert "TypeError" in failing
            finally:
                worker.stop()
                await task

    asyncio.run(serve())
    with pgqrs.connect_sync(dsn) as store:
        (pub,) = pgqrs.admin(store).list_workflows(name="publish")
    assert cli("event", "get", str(pub.id), "answer") == '{"x": 1}\n'
    assert "has no event 'nope'" in cli("event", "get", str(pub.id), "nope", status=1)
    waiting = cli("start", "unserved").strip()  # no arguments: stored as null
    assert cli("send", waiting, "topic", '{"m": 1}').strip().isdigit()

    # queues
    assert cli("queues", "set", "math", "--concurrency", "4", "--rate", "100/60s") == (
        "queue math: concurrency 4, per worker none, rate 100/60s, per key none\n"
    )
    assert cli("queues", "pause", "math").endswith(", paused\n")
    assert not cli("queues", "resume", "math").endswith(", paused\n")
    assert cli("queues", "set", "math", "--rate", "none").startswith(
        "queue math: concurrency 4, per worker none, rate none"
    )
    (math_queue,) = [q for q in json.loads(cli("queues", "list", "--json")) if q["name"] == "math"]
    assert math_queue["concurrency"] == 4
    assert cli("queues", "delete", "math") == "deleted queue math\n"

    # failure control
    assert cli("workflows", "cancel", good_id).endswith("nothing to cancel\n")
    assert cli("workflows", "resume", bad_id) == f"resumed {bad_id}: queued for a worker\n"
    forked = cli("workflows", "fork", good_id).strip()
    assert UUID(forked) != UUID(good_id)
    assert "is RUNNING, not DEAD" in cli("revive", bad_id, status=1)
    assert cli("completion", "bash").startswith("# pgqrs shell completion")

    # schedules and retention
    assert "nightly" in cli("schedules", "set", "nightly", "add", "0 3 * * *", "--input", "[1]")
    (nightly,) = json.loads(cli("schedules", "list", "--json"))
    assert (nightly["name"], nightly["cron"], nightly["paused"]) == ("nightly", "0 3 * * *", False)
    cli("schedules", "pause", "nightly")
    assert json.loads(cli("schedules", "list", "--json"))[0]["paused"] is True
    cli("schedules", "resume", "nightly")
    cli("schedules", "delete", "nightly")
    assert json.loads(cli("schedules", "list", "--json")) == []
    pruned = json.loads(cli("prune", "--older-than", "30d", "--pause", "0", "--json"))
    assert pruned["workflows"] == 0  # everything here finished moments ago

    # `worker` runs in test_worker_runs_and_drains, `cluster` in test_proxy.py, `dashboard` in
    # test_dashboard.py.
    elsewhere = {("worker",), ("cluster", "init"), ("cluster", "status"), ("dashboard",)}
    assert ran | elsewhere == _leaf_commands(_cli.build_parser())


def test_completion_script_completes_commands_and_options(tmp_path: Path) -> None:
    script = tmp_path / "pgqrs.bash"
    script.write_text(_ok("completion", "bash"))

    def complete(line: str) -> list[str]:
        words = line.split(" ")
        probe = (
            f"source {script}; COMP_WORDS=({' '.join(repr(w) for w in words)});"
            f" COMP_CWORD={len(words) - 1}; _pgqrs; printf '%s\\n' \"${{COMPREPLY[@]}}\""
        )
        done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True)
        return done.stdout.split()

    assert {"workflows", "queues", "start", "--dsn"} <= set(complete("pgqrs "))
    assert complete("pgqrs workflows s") == ["show"]
    assert complete("pgqrs --dsn x queues set payments --con") == [
        "--concurrency",
    ]
    assert "--json" in complete("pgqrs workflows list --")
    zsh = _ok("completion", "zsh")
    assert zsh.startswith("autoload -U +X bashcompinit && bashcompinit\n")


def test_tables_fit_the_terminal() -> None:
    rows = [("a" * 30, "b" * 40, "ok")]
    wide = _cli.table(("name", "held by", "s"), rows, flexible=("held by", "name"), width=200)
    assert wide.splitlines()[2] == "a" * 30 + "  " + "b" * 40 + "  ok"
    narrow = _cli.table(("name", "held by", "s"), rows, flexible=("held by", "name"), width=50)
    assert all(len(line) <= 50 for line in narrow.splitlines()), narrow
    assert narrow.splitlines()[2].split() == ["a" * 30, "b" * 11 + "...", "ok"]
    assert _cli.duration(0.0123) == "12ms"
    assert _cli.duration(2.56) == "2.5s"
    assert _cli.duration(75) == "1m15s"


def test_dsn_from_libpq_variables(dsn: str) -> None:
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(dsn)
    env = {
        "PATH": os.environ["PATH"],
        "PGHOST": str(params.get("host", "")),
        "PGPORT": str(params.get("port", "")),
        "PGDATABASE": str(params["dbname"]),
        "PGUSER": str(params.get("user", "")),
        "PGPASSWORD": str(params.get("password", "")),
    }
    done = subprocess.run(
        [sys.executable, "-m", "pgqrs", "status"], capture_output=True, text=True, env=env
    )
    assert (done.returncode, done.stdout) == (0, "no workflows\n\nno workers registered\n")
    done = subprocess.run(
        [sys.executable, "-m", "pgqrs", "--dsn", "postgresql://nobody@127.0.0.1:1/x", "status"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("pgqrs: error: cannot connect to the database (host 127.0.0.1")
    assert done.stderr.count("\n") == 1
