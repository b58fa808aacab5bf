begin;
select plan(4);

select * from pgqrs_test.running_workflow('runner-a') \gset
select pgqrs.release_workflow(:'workflow_id', :token) \gset

-- TEST: releasing gives the lease up without finishing the workflow, and moves the token on
select is(w.lease_owner, null, 'no owner') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_expires_at, null, 'no expiry') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.status, 'RUNNING', 'still RUNNING') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_token, :token::bigint + 1, 'the token moved on') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
