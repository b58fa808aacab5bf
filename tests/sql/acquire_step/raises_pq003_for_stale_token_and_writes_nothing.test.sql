begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.takeover(:'workflow_id') as new_token \gset

-- TEST: a token that is not the current one is fenced out
select throws_ok(format('select pgqrs.acquire_step(%L, %L, %s)', :'workflow_id', 'fetch', :token),
    'PQ003', null, 'the token from before the takeover: PQ003');
select throws_ok(format('select pgqrs.acquire_step(%L, %L, %s)', :'workflow_id', 'fetch', :new_token + 1),
    'PQ003', null, 'a token never granted: PQ003');
-- TEST: and no step row is written
select is(pgqrs_test.step_count(:'workflow_id'), 0::bigint, 'no step row');

select * from finish();
rollback;
