begin;
select plan(2);

select * from pgqrs_test.running_workflow() \gset
select pgqrs.complete_workflow(:'workflow_id', :token, '"done"') \gset

-- TEST: a finished workflow runs no more steps, even with its last token
select throws_ok(format('select pgqrs.acquire_step(%L, %L, %s)', :'workflow_id', 'fetch', :token),
    'PQ005', null, 'SUCCESS workflow: PQ005');
select is(pgqrs_test.step_count(:'workflow_id'), 0::bigint, 'no step row');

select * from finish();
rollback;
