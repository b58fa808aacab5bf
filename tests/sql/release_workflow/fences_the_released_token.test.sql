begin;
select plan(11);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select status from pgqrs.acquire_step(:'workflow_id', 'fetch', :token) \gset
select pgqrs.release_workflow(:'workflow_id', :token) \gset
select updated_at as released_at from pgqrs_test.workflow(:'workflow_id') \gset
select pgqrs_test.advance_clock('5 seconds') \gset

-- TEST: a release moves the token on, so the released token is fenced out at once: a late
-- write with it raises PQ003 (lease lost) ...
select is(w.lease_token, :token::bigint + 1, 'the token moved on') from pgqrs_test.workflow(:'workflow_id') w;
select throws_ok(format('select pgqrs.heartbeat(%L, %s)', :'workflow_id', :token), 'PQ003', null,
    'heartbeat: PQ003');
select throws_ok(format('select pgqrs.complete_step(%L, %L, %s, %L)', :'workflow_id', 'fetch', :token, '1'),
    'PQ003', null, 'complete_step: PQ003');
select throws_ok(format('select pgqrs.complete_workflow(%L, %s, %L)', :'workflow_id', :token, '"late"'),
    'PQ003', null, 'complete_workflow: PQ003');
-- TEST: ... and changes nothing: no lease comes back, no step outcome, no workflow outcome
select is(w.lease_expires_at, null, 'the heartbeat set no expiry') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_owner, null, 'still no owner') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.status, 'RUNNING', 'still RUNNING') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.output, null, 'no workflow output') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.updated_at, :'released_at'::timestamptz, 'updated_at unchanged') from pgqrs_test.workflow(:'workflow_id') w;
select is(s.status, 'RUNNING', 'the step stays RUNNING') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.output, null, 'no step output') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
