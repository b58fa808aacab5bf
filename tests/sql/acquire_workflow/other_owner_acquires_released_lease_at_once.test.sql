begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a', 30) \gset
select pgqrs.release_workflow(:'workflow_id', :token) \gset
create temp table acquired as select * from pgqrs.acquire_workflow(:'workflow_id', 'runner-b');

-- TEST: a released lease can be taken by another owner without waiting for its expiry, with
-- the token after the one the release moved on to (1 granted, 2 released, 3 granted)
select is(a.token, :token::bigint + 2, 'token 3') from acquired a;
select is(w.lease_owner, 'runner-b', 'runner-b holds the lease') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
