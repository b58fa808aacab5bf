begin;
select plan(7);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30) \gset
select pgqrs_test.succeeded_step(:'workflow_id', :token, 'reserve') \gset
select pgqrs_test.worker('worker-b', array['wf']) \gset
-- worker-a dies: its lease expires.
select pgqrs_test.expire_lease(:'workflow_id') \gset
create temp table claimed as select * from pgqrs.claim_workflows('worker-b');

-- TEST: another worker takes an expired lease over: a recovery, with the next token
select is(c.workflow_id, :'workflow_id'::uuid, 'the expired workflow') from claimed c;
select is(c.recovered, true, 'recovered is true') from claimed c;
select is(c.token, :token::bigint + 1, 'the next token') from claimed c;
select is(c.steps -> 'reserve' ->> 'status', 'SUCCESS', 'with its finished steps') from claimed c;
select is(w.recoveries, 1, 'recoveries 1') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_owner, 'worker-b', 'worker-b holds the lease') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: the dead holder is fenced out
select throws_ok(format('select pgqrs.heartbeat(%L, %s)', :'workflow_id', :token), 'PQ003', null,
    'the old token is stale');

select * from finish();
rollback;
