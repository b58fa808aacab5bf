begin;
select plan(4);

select * from pgqrs_test.running_workflow('runner-a') \gset
select pgqrs.fail_workflow(:'workflow_id', :token, '{"type": "KeyError", "message": "id"}') \gset
create temp table acquired as select * from pgqrs.acquire_workflow(:'workflow_id', 'runner-b');

-- TEST: a FAILED workflow returns its error and grants no lease
select is(a.status, 'FAILED', 'status is FAILED') from acquired a;
select is(a.error, '{"type": "KeyError", "message": "id"}'::jsonb, 'returns the stored error') from acquired a;
select is(a.output, null, 'no output') from acquired a;
select is(w.lease_token, 1::bigint, 'token unchanged') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
