begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select pgqrs_test.takeover(:'workflow_id', 'runner-b') as token2 \gset
create temp table before as select * from pgqrs.workflows where id = :'workflow_id';

-- TEST: a sleep with a token that was taken over raises PQ003 ...
select throws_ok(format('select * from pgqrs.sleep_step(%L, %L, %s, 1, p_seconds => 3600)',
    :'workflow_id', 'nap', :token), 'PQ003', null, 'PQ003');
-- TEST: ... and neither records the step nor suspends the workflow
select is(pgqrs_test.step_count(:'workflow_id'), 0::bigint, 'no step row');
select results_eq(format('select * from pgqrs.workflows where id = %L', :'workflow_id'),
    'select * from before', 'the workflow row is unchanged');

select * from finish();
rollback;
