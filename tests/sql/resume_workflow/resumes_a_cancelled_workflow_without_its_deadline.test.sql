begin;
select plan(5);

select pgqrs_test.set_clock() \gset
select workflow_id from pgqrs.submit_workflow('wf-resume-cancelled', '{}', '{"timeout_seconds": 60}') \gset
select pgqrs_test.advance_clock('2 minutes') \gset
select status from pgqrs.acquire_workflow(:'workflow_id', 'runner-a') \gset
select lease_token as cancelled_token from pgqrs_test.workflow(:'workflow_id') \gset
select pgqrs.resume_workflow(:'workflow_id') \gset

-- TEST: a workflow cancelled by its deadline resumes RUNNING, with the deadline removed ...
select is(:'status'::text, 'CANCELLED', 'it was CANCELLED');
select is(w.status, 'RUNNING', 'RUNNING') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.deadline_at, null, 'no deadline') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_token, :cancelled_token::bigint + 1, 'token + 1') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: ... so it can be acquired and run again
select is(a.status, 'RUNNING', 'acquired') from pgqrs.acquire_workflow(:'workflow_id', 'runner-a') a;

select * from finish();
rollback;
