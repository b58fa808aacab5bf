begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select status from pgqrs.sleep_step(:'workflow_id', 'nap', :token, 1, p_seconds => 5, p_inline_seconds => 10) \gset
create temp table before as select * from pgqrs.steps where workflow_id = :'workflow_id';

-- TEST: begin_step on a key that is a WAITING wait step (sleep, recv or await) raises PQ005 ...
select throws_ok(format('select * from pgqrs.begin_step(%L, %L, %s, 1)', :'workflow_id', 'nap', :token),
    'PQ005', null, 'WAITING sleep: PQ005');
select status from pgqrs.recv_message(:'workflow_id', 'recv', :token, 2, 'orders', 5, 10) \gset
select throws_ok(format('select * from pgqrs.begin_step(%L, %L, %s, 2)', :'workflow_id', 'recv', :token),
    'PQ005', null, 'WAITING recv: PQ005');
-- TEST: ... and changes nothing
select results_eq(format($$select * from pgqrs.steps where workflow_id = %L and step_key = 'nap'$$, :'workflow_id'),
    'select * from before', 'the step row is unchanged');

select * from finish();
rollback;
