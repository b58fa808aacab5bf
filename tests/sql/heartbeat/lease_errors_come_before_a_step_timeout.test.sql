begin;
select plan(2);

-- A step of runner-a passes its timeout; then runner-a loses the workflow (takeover), or the
-- workflow is cancelled. Its heartbeat must then report that (PQ003, PQ011): its lease is gone,
-- whatever the step is doing (LEASES AND FENCING: a write with any other token raises PQ003).
select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a', 30) \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, p_timeout_seconds => 5) \gset
select pgqrs_test.takeover(:'workflow_id', 'runner-b') as new_token \gset

-- TEST: a stale token gets PQ003 even while a step is over its timeout
select throws_ok(format('select pgqrs.heartbeat(%L, %s)', :'workflow_id', :token), 'PQ003', null,
    'stale token: PQ003');
-- TEST: a cancelled workflow's holder gets PQ011 even while a step is over its timeout
select pgqrs.cancel_workflow(:'workflow_id') \gset
select throws_ok(format('select pgqrs.heartbeat(%L, %s)', :'workflow_id', :new_token), 'PQ011', null,
    'cancelled: PQ011');

select * from finish();
rollback;
