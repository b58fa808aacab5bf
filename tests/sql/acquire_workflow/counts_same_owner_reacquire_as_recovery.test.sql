begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a', 30) \gset
select pgqrs_test.advance_clock('5 seconds') \gset
select token as token2 from pgqrs.acquire_workflow(:'workflow_id', 'runner-a', 30) \gset

-- TEST: re-acquiring a live lease as the same owner counts as a recovery: the previous
-- incarnation of that owner died holding it
select is(:token2::bigint, 2::bigint, 'token 2');
select is(w.recoveries, 1, 'recoveries 1') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
