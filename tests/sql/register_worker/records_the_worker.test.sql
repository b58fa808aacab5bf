begin;
select plan(10);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs.register_worker('worker-a', array['wf', 'report'], 8, 'host-1', 1234) as released \gset

-- TEST: register_worker records the worker as given, alive from now, and releases nothing
select is(:released::integer, 0, 'returns 0: no lease to release');
select is(k.name, 'worker-a', 'name') from pgqrs_test.worker_row('worker-a') k;
select is(k.workflows, array['wf', 'report'], 'the workflow names it serves') from pgqrs_test.worker_row('worker-a') k;
select is(k.concurrency, 8, 'concurrency') from pgqrs_test.worker_row('worker-a') k;
select is(k.hostname, 'host-1', 'hostname') from pgqrs_test.worker_row('worker-a') k;
select is(k.pid, 1234, 'pid') from pgqrs_test.worker_row('worker-a') k;
select is(k.started_at, :'t0'::timestamptz, 'started_at is now') from pgqrs_test.worker_row('worker-a') k;
select is(k.heartbeat_at, :'t0'::timestamptz, 'heartbeat_at is now') from pgqrs_test.worker_row('worker-a') k;
select is(k.stopped_at, null, 'not stopped') from pgqrs_test.worker_row('worker-a') k;
-- TEST: concurrency, hostname and pid have defaults (1, NULL, NULL)
select pgqrs.register_worker('worker-b', array['wf']) \gset
select row(k.concurrency, k.hostname, k.pid) is not distinct from row(1, null::text, null::integer)
       as defaults_ok
  from pgqrs_test.worker_row('worker-b') k \gset
select ok(:'defaults_ok'::boolean, 'concurrency 1, no hostname, no pid');

select * from finish();
rollback;
