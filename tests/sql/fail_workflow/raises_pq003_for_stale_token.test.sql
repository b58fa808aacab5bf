begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select pgqrs_test.takeover(:'workflow_id', 'runner-b') as new_token \gset

-- TEST: the runner whose lease was taken over cannot fail the workflow
select throws_ok(format('select pgqrs.fail_workflow(%L, %s, %L)', :'workflow_id', :token, '"boom"'),
    'PQ003', null, 'token from before the takeover: PQ003');
select is(w.status, 'RUNNING', 'the workflow stays RUNNING') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
