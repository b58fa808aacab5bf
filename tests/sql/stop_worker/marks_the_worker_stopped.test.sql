begin;
select plan(4);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('worker-a', array['wf']) \gset
select pgqrs_test.advance_clock('5 seconds') as t1 \gset
select pgqrs.stop_worker('worker-a') as released \gset

-- TEST: stop_worker records when the worker stopped; it is no longer alive
select is(k.stopped_at, :'t1'::timestamptz, 'stopped_at is now') from pgqrs_test.worker_row('worker-a') k;
select is(l.alive, false, 'not alive') from pgqrs.list_workers() l where l.name = 'worker-a';
select is(:released::integer, 0, 'no lease to release');
-- TEST: the row is kept, for list_workers
select is((select count(*) from pgqrs.workers), 1::bigint, 'the worker is still listed');

select * from finish();
rollback;
