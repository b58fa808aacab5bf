begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select pgqrs_test.takeover(:'workflow_id', 'runner-b') as token2 \gset

-- TEST: a set_event with a token that was taken over raises PQ003 ...
select throws_ok(format($$select pgqrs.set_event(%L, 'publish', %s, 1, 'status', '1')$$, :'workflow_id', :token),
    'PQ003', null, 'PQ003');
-- TEST: ... and sets nothing
select is((select count(*) from pgqrs.events where workflow_id = :'workflow_id'), 0::bigint, 'no event');
select is(pgqrs_test.step_count(:'workflow_id'), 0::bigint, 'no step row');

select * from finish();
rollback;
