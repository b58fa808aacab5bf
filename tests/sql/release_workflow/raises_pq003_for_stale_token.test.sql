begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select pgqrs_test.takeover(:'workflow_id', 'runner-b') as new_token \gset

-- TEST: a runner cannot release a lease that was taken over
select throws_ok(format('select pgqrs.release_workflow(%L, %s)', :'workflow_id', :token),
    'PQ003', null, 'token from before the takeover: PQ003');
select is(w.lease_owner, 'runner-b', 'runner-b keeps the lease') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
