begin;
select plan(2);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('worker-a', array['wf']) \gset
select pgqrs_test.advance_clock('20 seconds') as t1 \gset
select count(*) as claimed from pgqrs.claim_workflows('worker-a') \gset

-- TEST: a claim records that the worker is alive, even when there is nothing to claim
select is(k.heartbeat_at, :'t1'::timestamptz, 'heartbeat_at is now') from pgqrs_test.worker_row('worker-a') k;
select is(k.started_at, :'t0'::timestamptz, 'started_at unchanged') from pgqrs_test.worker_row('worker-a') k;

select * from finish();
rollback;
