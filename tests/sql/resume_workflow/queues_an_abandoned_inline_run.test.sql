begin;
select plan(6);

-- A workflow run by its creator (acquire_workflow: not queued), with a finished step, whose
-- runner went away: its lease expired.
select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a', 30, p_input => '{"n": 1}') \gset
select pgqrs.record_step(:'workflow_id', 'fetch', :token, 1, '"rows"') \gset
select pgqrs_test.expire_lease(:'workflow_id') as t1 \gset
create temp table before as select * from pgqrs.workflows where id = :'workflow_id';
select pgqrs.resume_workflow(:'workflow_id') \gset

-- TEST: resume hands it to the workers: queued, available now, no lease, the token moved on ...
select results_eq(
    format('select status, queued, available_at, lease_owner, lease_expires_at, lease_token from pgqrs.workflows where id = %L', :'workflow_id'),
    format($$values ('RUNNING'::text, true, %L::timestamptz, null::text, null::timestamptz, %s::bigint)$$, :'t1', :token + 1),
    'RUNNING, queued, available now, token + 1');
-- TEST: ... and nothing else about it changes: input, steps, recoveries, attempt, started_at
select results_eq(
    format('select input, recoveries, attempt, started_at, error, deadline_at from pgqrs.workflows where id = %L', :'workflow_id'),
    'select input, recoveries, attempt, started_at, error, deadline_at from before', 'the rest is kept');
select is((pgqrs_test.step(:'workflow_id', 'fetch')).output, '"rows"'::jsonb, 'the step is kept');
-- TEST: the runner that abandoned it is fenced out
select throws_ok(format('select pgqrs.heartbeat(%L, %s)', :'workflow_id', :token), 'PQ003', null, 'old token: PQ003');
-- TEST: a worker claims it, replays its step, and it is not counted as a recovery
select pgqrs_test.worker('worker-a', array['wf']) \gset
create temp table claimed as select * from pgqrs.claim('worker-a', gen_random_uuid());
select results_eq('select workflow_id, token, recovered, steps -> $$fetch$$ ->> $$status$$ from claimed',
                  format($$values (%L::uuid, %s::bigint, false, 'SUCCESS')$$, :'workflow_id', :token + 2),
                  'claimed with token + 2, its step, not recovered');
select is(w.recoveries, 0, 'recoveries 0') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
