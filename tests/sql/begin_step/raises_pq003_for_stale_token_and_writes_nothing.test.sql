begin;
select plan(4);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1) \gset
select pgqrs_test.takeover(:'workflow_id') as new_token \gset

-- TEST: a token that is not the current one is fenced out with PQ003 ...
select throws_ok(format('select pgqrs.begin_step(%L, %L, %s, 2)', :'workflow_id', 'load', :token),
    'PQ003', null, 'the token from before the takeover: PQ003');
select throws_ok(format('select pgqrs.begin_step(%L, %L, %s, 1)', :'workflow_id', 'fetch', :token),
    'PQ003', null, 'also for the step it was running');
-- TEST: ... and writes nothing
select is(pgqrs_test.step_count(:'workflow_id'), 1::bigint, 'no new step row');
select is(s.attempt, 1, 'the running step is unchanged') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
