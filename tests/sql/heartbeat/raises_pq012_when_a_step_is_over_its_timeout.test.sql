begin;
select plan(4);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a', 30) \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, p_timeout_seconds => 10) \gset
select pgqrs_test.advance_clock('9 seconds') as t1 \gset
select pgqrs.heartbeat(:'workflow_id', :token) \gset

-- TEST: before the step's timeout, heartbeat extends the lease as usual
select is(w.lease_expires_at, :'t1'::timestamptz + interval '30 seconds', 'extended')
  from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: once a RUNNING step is past its timeout, heartbeat raises PQ012 and does not extend it
select pgqrs_test.advance_clock('1 second') \gset
select throws_ok(format('select pgqrs.heartbeat(%L, %s)', :'workflow_id', :token), 'PQ012', null, 'PQ012');
select is(w.lease_expires_at, :'t1'::timestamptz + interval '30 seconds', 'not extended')
  from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: once the step has an outcome, heartbeats work again
select status from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :token, '"timed out"') \gset
select lives_ok(format('select pgqrs.heartbeat(%L, %s)', :'workflow_id', :token), 'heartbeat works');

select * from finish();
rollback;
