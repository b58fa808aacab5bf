begin;
select plan(4);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a', 30) \gset
select pgqrs_test.advance_clock('31 seconds') as t1 \gset
create temp table acquired as select * from pgqrs.acquire_workflow(:'workflow_id', 'runner-b', 30);

-- TEST: once the lease has expired another owner takes it over with the next token
select is(a.status, 'RUNNING', 'status is RUNNING') from acquired a;
select is(a.token, 2::bigint, 'token 2') from acquired a;
select is(a.lease_expires_at, :'t1'::timestamptz + interval '30 seconds', 'a fresh expiry') from acquired a;
select is(w.lease_owner, 'runner-b', 'runner-b holds the lease') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
