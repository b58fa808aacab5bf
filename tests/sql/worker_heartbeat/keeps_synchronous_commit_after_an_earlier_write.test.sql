begin;
select plan(1);

select * from pgqrs_test.claimed_workflow('worker-a') \gset
select pgqrs.complete_workflow(:'workflow_id', :token, '"ok"') \gset
select pgqrs.worker_heartbeat('worker-a') \gset

-- TEST: after a write in the same transaction (here an outcome) worker_heartbeat does not turn
-- synchronous_commit off, so the outcome still commits durably
select is(current_setting('synchronous_commit'), 'on', 'synchronous_commit stays on');

select * from finish();
rollback;
