begin;
select plan(2);

select * from pgqrs_test.running_workflow() \gset

-- TEST: a NULL time raises PQ008 and leaves the lease alone
select throws_ok(format('select pgqrs.suspend_workflow(%L, %s, null)', :'workflow_id', :token),
    'PQ008', null, 'PQ008');
select is(w.lease_owner, 'runner-a', 'still leased') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
