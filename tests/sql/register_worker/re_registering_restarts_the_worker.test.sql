begin;
select plan(8);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs.register_worker('worker-a', array['wf'], 2, 'host-1', 100) \gset
select pgqrs_test.advance_clock('1 minute') \gset
select pgqrs.stop_worker('worker-a') \gset
select pgqrs_test.advance_clock('1 minute') as t2 \gset
select pgqrs.register_worker('worker-a', array['wf', 'report'], 4, 'host-2', 200) as released \gset

-- TEST: registering a known name again replaces its row: a restart, alive from now
select is((select count(*) from pgqrs.workers), 1::bigint, 'one row for the name');
select is(k.started_at, :'t2'::timestamptz, 'started_at is reset') from pgqrs_test.worker_row('worker-a') k;
select is(k.heartbeat_at, :'t2'::timestamptz, 'heartbeat_at is now') from pgqrs_test.worker_row('worker-a') k;
select is(k.stopped_at, null, 'stopped_at is cleared') from pgqrs_test.worker_row('worker-a') k;
select is(k.workflows, array['wf', 'report'], 'the new workflow names') from pgqrs_test.worker_row('worker-a') k;
select is(k.concurrency, 4, 'the new concurrency') from pgqrs_test.worker_row('worker-a') k;
select is(k.hostname || ':' || k.pid, 'host-2:200', 'the new host and pid') from pgqrs_test.worker_row('worker-a') k;
select is(:released::integer, 0, 'nothing to release after a clean stop');

select * from finish();
rollback;
