begin;
select plan(6);

select * from pgqrs_test.running_workflow('runner-a') \gset
select pgqrs.complete_workflow(:'workflow_id', :token, '{"total": 7}') \gset
create temp table acquired as select * from pgqrs.acquire_workflow(:'workflow_id', 'runner-b');

-- TEST: a SUCCESS workflow returns its output
select is(a.status, 'SUCCESS', 'status is SUCCESS') from acquired a;
select is(a.output, '{"total": 7}'::jsonb, 'returns the stored output') from acquired a;
-- TEST: and grants no lease
select is(a.token, 1::bigint, 'the returned token is the last one granted') from acquired a;
select is(a.lease_expires_at, null, 'no expiry') from acquired a;
select is(w.lease_token, 1::bigint, 'token unchanged') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_owner, null, 'no owner') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
