begin;
select plan(7);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.advance_clock('10 seconds') as t1 \gset
select pgqrs.complete_workflow(:'workflow_id', :token, '{"total": 7}') \gset

-- TEST: the workflow is SUCCESS with its output
select is(w.status, 'SUCCESS', 'status is SUCCESS') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.output, '{"total": 7}'::jsonb, 'the output is stored') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.error, null, 'no error') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.finished_at, :'t1'::timestamptz, 'finished_at is now') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: the lease ends, but the fencing token is kept
select is(w.lease_owner, null, 'no owner') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_expires_at, null, 'no expiry') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_token, :token::bigint, 'the token is kept') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
