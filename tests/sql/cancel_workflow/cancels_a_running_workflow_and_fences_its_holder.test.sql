begin;
select plan(13);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1) \gset
select pgqrs_test.advance_clock('1 second') as t1 \gset

-- TEST: a RUNNING workflow becomes CANCELLED with the reason, its lease ended, token + 1
select is(pgqrs.cancel_workflow(:'workflow_id', 'user asked'), true, 'returns true');
select is(w.status, 'CANCELLED', 'CANCELLED') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.error, '{"type": "pgqrs.Cancelled", "message": "user asked", "traceback": null}'::jsonb,
    'error pgqrs.Cancelled with the reason') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_owner, null, 'no owner') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_expires_at, null, 'no expiry') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_token, :token::bigint + 1, 'token + 1') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.finished_at, :'t1'::timestamptz, 'finished now') from pgqrs_test.workflow(:'workflow_id') w;

-- TEST: the holder's next call raises PQ011 (workflow_cancelled) ...
create temp table before as select * from pgqrs.workflows where id = :'workflow_id';
create temp table steps_before as select * from pgqrs.steps where workflow_id = :'workflow_id';
select pgqrs_test.advance_clock('1 second') \gset
select throws_ok(format('select pgqrs.begin_step(%L, %L, %s, 2)', :'workflow_id', 'load', :token),
    'PQ011', null, 'begin_step: PQ011');
select throws_ok(format('select pgqrs.complete_step(%L, %L, %s, %L)', :'workflow_id', 'fetch', :token, '1'),
    'PQ011', null, 'complete_step: PQ011');
select throws_ok(format('select pgqrs.heartbeat(%L, %s)', :'workflow_id', :token),
    'PQ011', null, 'heartbeat: PQ011');
select throws_ok(format('select pgqrs.complete_workflow(%L, %s, %L)', :'workflow_id', :token, '"done"'),
    'PQ011', null, 'complete_workflow: PQ011');
-- TEST: ... and changes nothing
select results_eq(format('select * from pgqrs.workflows where id = %L', :'workflow_id'),
    'select * from before', 'the workflow row is unchanged');
select results_eq(format('select * from pgqrs.steps where workflow_id = %L', :'workflow_id'),
    'select * from steps_before', 'the step rows are unchanged');

select * from finish();
rollback;
