begin;
select plan(4);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a', 600) \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 10, 60) \gset
select status from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :token, '"e1"') \gset
create temp table before as select * from pgqrs.steps where workflow_id = :'workflow_id';

-- TEST: a RETRYING step takes no result before begin_step runs it again: PQ005 ...
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 1, %L)', :'workflow_id', 'fetch', :token, '"ok"'),
    'PQ005', null, 'RETRYING step: PQ005');
-- TEST: ... also once its retry is due
select pgqrs_test.advance_clock('61 seconds') \gset
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 1, %L)', :'workflow_id', 'fetch', :token, '"ok"'),
    'PQ005', null, 'RETRYING step past retry_at: PQ005');
-- TEST: ... and it stays RETRYING
select results_eq(format('select * from pgqrs.steps where workflow_id = %L', :'workflow_id'),
    'select * from before', 'the step row is unchanged');
select is(s.status, 'RETRYING', 'still RETRYING') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
