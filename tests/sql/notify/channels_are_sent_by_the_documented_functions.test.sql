begin;
select plan(4);

-- A NOTIFY is delivered only when its transaction commits, and every test rolls back, so the
-- wake-ups themselves are tested in pytest. Here: which functions send on which channel.
create temp table sends as
    select p.proname::text as fn, m[1] as channel
      from pg_proc p, regexp_matches(p.prosrc, 'pg_notify\(\s*''([a-z_]+)''', 'g') m
     where p.pronamespace = 'pgqrs'::regnamespace;

-- TEST: pgqrs_work (a workflow name, or '*') announces new or released work
select set_eq($$select fn from sends where channel = 'pgqrs_work'$$,
              $$values ('_create_workflow'), ('release_workflow'), ('_release_worker_leases'),
                       ('revive_workflow'), ('suspend_workflow'), ('resume_workflow'),
                       ('fork_workflow'), ('_wake_waiters')$$,
              'pgqrs_work: start_workflow and submit_workflow (via _create_workflow), release, '
              'register and stop (via _release_worker_leases), revive, suspend (to a time '
              'already passed), resume, fork, woken waiters (via _wake_waiters)');
-- TEST: pgqrs_done (a workflow id) announces a workflow that became SUCCESS, FAILED, DEAD or
-- CANCELLED
select set_eq($$select fn from sends where channel = 'pgqrs_done'$$,
              $$values ('_finish_workflow'), ('claim_workflows'), ('_cancel')$$,
              'pgqrs_done: _finish_workflow (complete and fail), claim_workflows (DEAD), _cancel '
              '(cancel_workflow and deadlines)');
-- TEST: pgqrs_event ('<workflow id> <key>') announces a value published by set_event
select set_eq($$select fn from sends where channel = 'pgqrs_event'$$,
              $$values ('set_event')$$, 'pgqrs_event: set_event');
-- TEST: there is no other channel
select is_empty($$select * from sends where channel not in ('pgqrs_work', 'pgqrs_done', 'pgqrs_event')$$,
    'only the three documented channels');

select * from finish();
rollback;
