begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a', 30) \gset
select pgqrs_test.advance_clock('5 seconds') \gset
create temp table acquired as select * from pgqrs.acquire_workflow(:'workflow_id', 'runner-a', 30);

-- TEST: the same owner gets its live lease again at once, with the next token
select is(a.token, 2::bigint, 'token 2') from acquired a;
select is(w.lease_owner, 'runner-a', 'runner-a still holds the lease') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: its previous incarnation is fenced out
select throws_ok(format('select pgqrs.heartbeat(%L, %s)', :'workflow_id', :token), 'PQ003', null,
    'the token from the first acquire is stale');

select * from finish();
rollback;
