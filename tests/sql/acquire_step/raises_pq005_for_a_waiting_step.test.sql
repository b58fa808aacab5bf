begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select status from pgqrs.sleep_step(:'workflow_id', 'nap', :token, 1, p_seconds => 5, p_inline_seconds => 10) \gset
create temp table before as select * from pgqrs.steps where workflow_id = :'workflow_id';

-- TEST: the 0.1.0 step call on a key that is a WAITING wait step raises PQ005, as begin_step
-- does (it is neither a step to execute nor one that failed: no PQ004, and no other SQLSTATE)
select throws_ok(format('select * from pgqrs.acquire_step(%L, %L, %s)', :'workflow_id', 'nap', :token),
    'PQ005', null, 'WAITING step: PQ005');
-- TEST: and changes nothing
select results_eq(format('select * from pgqrs.steps where workflow_id = %L', :'workflow_id'),
    'select * from before', 'the step row is unchanged');

select * from finish();
rollback;
