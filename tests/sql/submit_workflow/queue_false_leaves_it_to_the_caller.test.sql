begin;
select plan(3);

select workflow_id from pgqrs.submit_workflow('wf', '{}', '{"queue": false}') \gset

-- TEST: with queue false the workflow is not queued (as create_workflow) ...
select is(w.queued, false, 'not queued') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.available_at, null, 'no available_at') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: ... and the caller acquires it
select is(a.token, 1::bigint, 'acquired with token 1') from pgqrs.acquire_workflow(:'workflow_id', 'runner-a') a;

select * from finish();
rollback;
