begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select workflow_id from pgqrs.submit_workflow('wf-retry-repeat', '{}', '{"queue": false, "max_attempts": 3}') \gset
select token from pgqrs.acquire_workflow(:'workflow_id', 'runner-a') \gset
select pgqrs.fail_workflow(:'workflow_id', :token, '"bad"') \gset
create temp table before as select * from pgqrs.workflows where id = :'workflow_id';
select pgqrs_test.advance_clock('1 second') \gset

-- TEST: repeating the fail_workflow that became a retry (a lost reply) is accepted and changes nothing
select lives_ok(format('select pgqrs.fail_workflow(%L, %s, %L)', :'workflow_id', :token, '"bad"'),
    'the repeat is accepted');
select results_eq(format('select * from pgqrs.workflows where id = %L', :'workflow_id'),
    'select * from before', 'the row is unchanged (no second retry)');

select * from finish();
rollback;
