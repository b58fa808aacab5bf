begin;
select plan(2);

select * from pgqrs_test.running_workflow() \gset

-- TEST: record_step takes a NULL token as an invalid argument, and records nothing
select throws_ok(format($$select pgqrs.record_step(%L, 'fetch', null, 1, '1')$$, :'workflow_id'),
    'PQ008', null, 'null token: PQ008');
select is(pgqrs_test.step_count(:'workflow_id'), 0::bigint, 'no step row');

select * from finish();
rollback;
