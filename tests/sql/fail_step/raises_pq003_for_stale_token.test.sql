begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.acquire_step(:'workflow_id', 'parse', :token) \gset
select pgqrs_test.takeover(:'workflow_id') as new_token \gset

-- TEST: the runner whose lease was taken over cannot record a failure
select throws_ok(format('select pgqrs.fail_step(%L, %L, %s, %L)', :'workflow_id', 'parse', :token, '"boom"'),
    'PQ003', null, 'token from before the takeover: PQ003');
select is(s.status, 'RUNNING', 'the step stays RUNNING') from pgqrs_test.step(:'workflow_id', 'parse') s;

select * from finish();
rollback;
