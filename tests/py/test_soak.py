"""kill -9 at random points, again and again: every workflow finishes with the right output, and
a step whose success has committed never runs again.

The short version runs in `make test`; the long one is `make soak` (marker ``slow``).
"""

from __future__ import annotations

import os
import random
import signal

import flows
import psycopg
import pytest
from helpers import child, finish, poll, setup_effects

import pgqrs


def _effects_count(dsn: str, workflow_id: object) -> int:
    return len(flows.effects(dsn, workflow_id))


def _run_with_random_kills(dsn: str, rng: random.Random, max_kills: int) -> tuple[object, int]:
    n = flows.CHAIN_LENGTH
    with pgqrs.connect_sync(dsn) as store:
        ctx = pgqrs.admin(store).create_workflow("chain", n)
    kills = 0
    while True:
        proc = child(dsn, ctx.id, "chain", "--runner", "soak", "--n", str(n))
        if kills < max_kills:
            # Kill once the child has started a random number of step bodies: inside a step,
            # between steps or right after a success commits, as the timing falls.
            target = _effects_count(dsn, ctx.id) + rng.randint(1, n)
            poll(
                lambda t=target, p=proc: _effects_count(dsn, ctx.id) >= t or p.poll() is not None,
                what="the child to reach the kill point",
            )
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                kills += 1
        code, out, err = finish(proc)
        if code == 0:
            assert out.strip() == str(sum(range(n))), out
            return ctx.id, kills
        assert code == -signal.SIGKILL, err


def _check_no_rerun_after_success(dsn: str, workflow_id: object) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(
            """
            select s.step_key, s.lease_token, e.token
              from pgqrs.list_steps(%s) s
              join effects e on e.workflow_id = %s and e.step = s.step_key
            """,
            (workflow_id, workflow_id),
        ).fetchall()
        statuses = conn.execute(
            "select status from pgqrs.list_steps(%s)", (workflow_id,)
        ).fetchall()
    assert {s for (s,) in statuses} == {"SUCCESS"}
    assert len(statuses) == flows.CHAIN_LENGTH
    for key, success_token, effect_token in rows:
        # Every run of a step's body happened under a token no later than the one that
        # committed its success: after the commit, nobody ran it again.
        assert effect_token <= success_token, (key, effect_token, success_token)
    winners = [(k, t) for k, s, t in rows if t == s]
    assert sorted(k for k, _ in winners) == sorted({k for k, _, _ in rows})  # once per step


@pytest.mark.parametrize(
    "workflows",
    [pytest.param(3, id="short"), pytest.param(40, id="long", marks=pytest.mark.slow)],
)
def test_random_kills(dsn: str, workflows: int) -> None:
    setup_effects(dsn)
    rng = random.Random(int(os.environ.get("PGQRS_SOAK_SEED", "20261125")))
    total_kills = 0
    for _ in range(workflows):
        workflow_id, kills = _run_with_random_kills(dsn, rng, max_kills=3)
        total_kills += kills
        _check_no_rerun_after_success(dsn, workflow_id)
        with pgqrs.connect_sync(dsn) as store:
            info = pgqrs.admin(store).get_workflow(workflow_id)
        assert info.status == "SUCCESS"
        assert info.output == sum(range(flows.CHAIN_LENGTH))
    assert total_kills > 0  # the loop really killed something
