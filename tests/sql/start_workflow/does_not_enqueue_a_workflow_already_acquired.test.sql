begin;
select plan(4);

select * from pgqrs_test.running_workflow('runner-a') \gset
select * from pgqrs.start_workflow('wf', '{}', p_id => :'workflow_id') \gset start_

-- TEST: a workflow that a runner already acquired (RUNNING, not queued) is returned as it is ...
select is(:'start_status'::text, 'RUNNING', 'returns its status');
select ok(not :'start_created'::boolean, 'created is false');
-- TEST: ... and not enqueued: its runner keeps it
select is(w.queued, false, 'still not queued') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.available_at, null, 'no available_at') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
