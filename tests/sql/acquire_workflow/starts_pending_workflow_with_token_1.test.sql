begin;
select plan(8);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.new_workflow() as workflow_id \gset
create temp table acquired as select * from pgqrs.acquire_workflow(:'workflow_id', 'runner-a', 30);

-- TEST: the first acquire returns RUNNING, token 1 and an expiry of now + lease seconds
select is(a.status, 'RUNNING', 'status is RUNNING') from acquired a;
select is(a.token, 1::bigint, 'the first token is 1') from acquired a;
select is(a.lease_expires_at, :'t0'::timestamptz + interval '30 seconds', 'expiry is now + 30 s')
  from acquired a;

-- TEST: the row holds the same lease
select is(w.status, 'RUNNING', 'the row is RUNNING') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_owner, 'runner-a', 'the row names the owner') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_token, 1::bigint, 'the row holds token 1') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_expires_at, :'t0'::timestamptz + interval '30 seconds', 'the row holds the expiry')
  from pgqrs_test.workflow(:'workflow_id') w;
select is(w.started_at, :'t0'::timestamptz, 'started_at is now') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
