begin;
select plan(1);

select * from pgqrs_test.running_workflow() \gset

-- TEST: acquire_step takes a NULL token as an invalid argument
select throws_ok(format($$select pgqrs.acquire_step(%L, 'fetch', null)$$, :'workflow_id'), 'PQ008', null, 'null token: PQ008');

select * from finish();
rollback;
