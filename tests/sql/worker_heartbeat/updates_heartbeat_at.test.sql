begin;
select plan(3);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('worker-a', array['wf']) \gset
select pgqrs_test.advance_clock('25 seconds') as t1 \gset
select pgqrs.worker_heartbeat('worker-a') \gset

-- TEST: worker_heartbeat records that the worker is alive now
select is(k.heartbeat_at, :'t1'::timestamptz, 'heartbeat_at is now') from pgqrs_test.worker_row('worker-a') k;
select is(k.started_at, :'t0'::timestamptz, 'started_at unchanged') from pgqrs_test.worker_row('worker-a') k;
select is(l.alive, true, 'list_workers shows it alive 40 s after it started')
  from pgqrs_test.advance_clock('15 seconds') t, pgqrs.list_workers() l where l.name = 'worker-a';

select * from finish();
rollback;
