begin;
select plan(6);

select pgqrs_test.set_clock() \gset
select pgqrs_test.new_workflow('other') as other_id \gset
select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1) \gset
select pgqrs_test.failed_step(:'workflow_id', :token, 'load') \gset
select status from pgqrs.begin_step(:'workflow_id', 'retry', :token, 3, p_max_attempts => 3) \gset
select pgqrs.fail_step_attempt(:'workflow_id', 'retry', :token, '{"message": "x"}', true) \gset
create temp table before as select * from pgqrs.steps where workflow_id = :'workflow_id';

-- TEST: a sleep on a key recorded as a normal step that is RUNNING, FAILED or RETRYING raises
-- PQ005 (through _wait_step) ...
select throws_ok(format('select * from pgqrs.sleep_step(%L, %L, %s, 1, p_seconds => 1)', :'workflow_id', 'fetch', :token),
    'PQ005', null, 'RUNNING step: PQ005');
select throws_ok(format('select * from pgqrs.sleep_step(%L, %L, %s, 2, p_seconds => 1)', :'workflow_id', 'load', :token),
    'PQ005', null, 'FAILED step: PQ005');
select throws_ok(format('select * from pgqrs.sleep_step(%L, %L, %s, 3, p_seconds => 1)', :'workflow_id', 'retry', :token),
    'PQ005', null, 'RETRYING step: PQ005');
-- TEST: ... as do the other wait steps
select throws_ok(format('select * from pgqrs.recv_message(%L, %L, %s, 1, %L)', :'workflow_id', 'fetch', :token, 'a'),
    'PQ005', null, 'recv_message: PQ005');
select throws_ok(format('select * from pgqrs.await_workflow(%L, %L, %s, 1, %L)', :'workflow_id', 'fetch', :token, :'other_id'),
    'PQ005', null, 'await_workflow: PQ005');
-- TEST: and the steps are unchanged
select results_eq(format('select * from pgqrs.steps where workflow_id = %L', :'workflow_id'),
    'select * from before', 'the step rows are unchanged');

select * from finish();
rollback;
