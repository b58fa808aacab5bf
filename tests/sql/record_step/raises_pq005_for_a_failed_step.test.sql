begin;
select plan(4);

select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1) \gset
select status from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :token, '"boom"') \gset
create temp table before as select * from pgqrs.steps where workflow_id = :'workflow_id';

-- TEST: a step that failed for good takes no result: PQ005 ...
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 1, %L)', :'workflow_id', 'fetch', :token, '"ok"'),
    'PQ005', null, 'FAILED step: PQ005');
-- TEST: ... also one failed by fail_step (0.1.0: recorded without a position)
select pgqrs_test.failed_step(:'workflow_id', :token, 'parse') \gset
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 2, %L)', :'workflow_id', 'parse', :token, '"ok"'),
    'PQ005', null, 'FAILED step without a position: PQ005');
-- TEST: ... and the steps stay FAILED
select results_eq(format($$select * from pgqrs.steps where workflow_id = %L and step_key = 'fetch'$$, :'workflow_id'),
    'select * from before', 'the row of fetch is unchanged');
select is(s.status, 'FAILED', 'parse stays FAILED') from pgqrs_test.step(:'workflow_id', 'parse') s;

select * from finish();
rollback;
