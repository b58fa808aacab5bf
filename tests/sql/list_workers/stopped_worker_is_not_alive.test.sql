begin;
select plan(2);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('worker-a', array['wf']) \gset
select pgqrs.stop_worker('worker-a') \gset

-- TEST: a stopped worker is not alive, even with a recent heartbeat
select is(l.alive, false, 'not alive') from pgqrs.list_workers() l;
select is(l.stopped_at, :'t0'::timestamptz, 'with its stopped_at') from pgqrs.list_workers() l;

select * from finish();
rollback;
