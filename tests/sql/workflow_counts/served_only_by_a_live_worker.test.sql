begin;
select plan(6);

select pgqrs_test.set_clock() \gset
select pgqrs_test.queued_workflow('wf') \gset
select pgqrs_test.queued_workflow('report') \gset

-- TEST: a name no worker serves is not served
select is(c.served, false, 'no worker') from pgqrs.workflow_counts() c where c.name = 'wf';
-- TEST: a live worker that serves the name makes it served, and only that name
select pgqrs_test.worker('worker-a', array['wf']) \gset
select is(c.served, true, 'worker-a serves wf') from pgqrs.workflow_counts() c where c.name = 'wf';
select is(c.served, false, 'nobody serves report') from pgqrs.workflow_counts() c where c.name = 'report';
-- TEST: a stale worker does not count, unless p_stale_seconds allows it
select pgqrs_test.advance_clock('31 seconds') \gset
select is(c.served, false, 'a stale worker') from pgqrs.workflow_counts() c where c.name = 'wf';
select is(c.served, true, 'within 60 s') from pgqrs.workflow_counts(60) c where c.name = 'wf';
-- TEST: a stopped worker does not count
select pgqrs.worker_heartbeat('worker-a') \gset
select pgqrs.stop_worker('worker-a') \gset
select is(c.served, false, 'a stopped worker') from pgqrs.workflow_counts() c where c.name = 'wf';

select * from finish();
rollback;
