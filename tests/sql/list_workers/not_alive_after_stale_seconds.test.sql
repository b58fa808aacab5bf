begin;
select plan(5);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('worker-a', array['wf']) \gset

-- TEST: a worker is alive while its last heartbeat is within p_stale_seconds (default 30)
select pgqrs_test.advance_clock('29 seconds') \gset
select is(l.alive, true, 'alive after 29 s') from pgqrs.list_workers() l;
select pgqrs_test.advance_clock('1 second') \gset
select is(l.alive, false, 'not alive after 30 s') from pgqrs.list_workers() l;
-- TEST: p_stale_seconds sets the limit
select is(l.alive, true, 'alive with a 60 s limit') from pgqrs.list_workers(60) l;
select is(l.alive, false, 'not alive with a 10 s limit') from pgqrs.list_workers(10) l;
-- TEST: a heartbeat makes it alive again
select pgqrs.worker_heartbeat('worker-a') \gset
select is(l.alive, true, 'alive after a heartbeat') from pgqrs.list_workers() l;

select * from finish();
rollback;
