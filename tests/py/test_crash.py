"""Replay after a real kill -9 of the process running a workflow."""

from __future__ import annotations

import os
import signal

import flows
import pytest
from helpers import child, finish, later, poll, setup_effects, step_status

import pgqrs


def _kill_in_transform(dsn: str, mode: str, runner: str) -> object:
    """Start a child that runs the pipeline, wait until it is inside the transform step, and
    kill it with SIGKILL. Returns the workflow id."""
    setup_effects(dsn)
    with pgqrs.connect_sync(dsn) as store:
        ctx = pgqrs.admin(store).create_workflow("pipeline", 4)
    proc = child(dsn, ctx.id, mode, "--runner", runner, "--gate", "never", "--n", "4")
    poll(
        lambda: flows.effects(dsn, ctx.id) == ["extract", "transform"],
        what="the child to enter the transform step",
    )
    # A step that runs for 50 ms (BEGIN_AFTER) is marked RUNNING, so its attempt counts.
    poll(
        lambda: step_status(dsn, ctx.id, "transform") == "RUNNING",
        what="the transform step to be marked RUNNING",
    )
    os.kill(proc.pid, signal.SIGKILL)
    code, _out, _err = finish(proc)
    assert code == -signal.SIGKILL
    return ctx.id


@pytest.mark.parametrize("mode", ["async", "sync"])
def test_kill_9_then_resume_with_same_runner_id(dsn: str, mode: str) -> None:
    workflow_id = _kill_in_transform(dsn, mode, runner="worker-7")
    with pgqrs.connect_sync(dsn) as store:
        info = pgqrs.admin(store).get_workflow(workflow_id)
        assert info.status == "RUNNING"
        steps = {s.key: s.status for s in pgqrs.admin(store).list_steps(workflow_id)}
        assert steps == {"extract": "SUCCESS", "transform": "RUNNING"}

    # A restarted process with the same runner id takes over at once.
    code, out, err = finish(child(dsn, workflow_id, mode, "--runner", "worker-7", "--n", "4"))
    assert code == 0, err
    assert '"total": 60' in out
    # extract ran once; transform ran again (it never finished); load ran once.
    assert flows.effects(dsn, workflow_id) == ["extract", "transform", "transform", "load"]
    with pgqrs.connect_sync(dsn) as store:
        steps = {s.key: (s.status, s.attempt) for s in pgqrs.admin(store).list_steps(workflow_id)}
        assert steps == {
            "extract": ("SUCCESS", 1),
            "transform": ("SUCCESS", 2),
            "load": ("SUCCESS", 1),
        }
        info = pgqrs.admin(store).get_workflow(workflow_id)
        assert info.status == "SUCCESS"
        assert info.output == {"total": 60, "count": 4}


def test_kill_9_then_other_runner_waits_for_expiry(dsn: str) -> None:
    workflow_id = _kill_in_transform(dsn, "async", runner="worker-1")
    # Another runner is refused while the dead runner's lease is live...
    code, out, _ = finish(child(dsn, workflow_id, "async", "--runner", "worker-2"))
    assert code == 3, out
    # ...and takes over once the lease has expired (fake clock one hour ahead, no sleeping).
    future = later(dsn, 3600).isoformat()
    code, out, err = finish(
        child(dsn, workflow_id, "async", "--runner", "worker-2", "--fake-now", future)
    )
    assert code == 0, err
    assert flows.effects(dsn, workflow_id) == ["extract", "transform", "transform", "load"]
