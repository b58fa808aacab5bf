begin;
select plan(3);

select * from pgqrs_test.running_workflow('runner-a') \gset

-- TEST: awaiting a workflow that does not exist raises PQ001 ...
select throws_ok(format($$select * from pgqrs.await_workflow(%L, 'child', %s, 1, '00000000-0000-0000-0000-000000000000')$$,
    :'workflow_id', :token), 'PQ001', null, 'PQ001');
-- TEST: ... records no step and keeps the lease
select is(pgqrs_test.step_count(:'workflow_id'), 0::bigint, 'no step row');
select is(w.lease_token, :token::bigint, 'the lease is unchanged') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
