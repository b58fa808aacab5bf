begin;
select plan(6);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs.fail_workflow(:'workflow_id', :token, '{"type": "KeyError", "message": "id"}') \gset

-- TEST: the workflow is FAILED with its error
select is(w.status, 'FAILED', 'status is FAILED') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.error, '{"type": "KeyError", "message": "id"}'::jsonb, 'the error is stored') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.output, null, 'no output') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: the lease ends, but the fencing token is kept
select is(w.lease_owner, null, 'no owner') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_expires_at, null, 'no expiry') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_token, :token::bigint, 'the token is kept') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
