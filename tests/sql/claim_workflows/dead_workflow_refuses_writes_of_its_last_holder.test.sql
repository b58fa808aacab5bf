begin;
select plan(9);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30, p_max_recoveries => 0) \gset
select pgqrs_test.expire_lease(:'workflow_id') \gset
select count(*) from pgqrs.claim_workflows('worker-a') \gset
select updated_at as dead_at from pgqrs_test.workflow(:'workflow_id') \gset
select pgqrs_test.advance_clock('5 seconds') \gset

-- TEST: moving a workflow to DEAD moved its token on, so the holder it was taken from is fenced
-- out: every write with its token raises PQ003 (lease lost) ...
select is(w.lease_token, :token::bigint + 1, 'the token moved on') from pgqrs_test.workflow(:'workflow_id') w;
select throws_ok(format('select pgqrs.heartbeat(%L, %s)', :'workflow_id', :token), 'PQ003', null,
    'heartbeat: PQ003');
select throws_ok(format('select pgqrs.complete_step(%L, %L, %s, %L)', :'workflow_id', 'late', :token, '1'),
    'PQ003', null, 'complete_step: PQ003');
select throws_ok(format('select pgqrs.complete_workflow(%L, %s, %L)', :'workflow_id', :token, '"late"'),
    'PQ003', null, 'complete_workflow: PQ003');
-- TEST: ... and changes nothing
select is(w.status, 'DEAD', 'still DEAD') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.output, null, 'no output stored') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_expires_at, null, 'no lease') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.updated_at, :'dead_at'::timestamptz, 'updated_at unchanged') from pgqrs_test.workflow(:'workflow_id') w;
select is(pgqrs_test.step_count(:'workflow_id'), 0::bigint, 'no step recorded');

select * from finish();
rollback;
