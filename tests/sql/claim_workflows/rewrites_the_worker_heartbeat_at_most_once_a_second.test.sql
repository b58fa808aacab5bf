begin;
select plan(12);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('worker-a', array['wf']) \gset
select ctid as ctid_before from pgqrs.workers where name = 'worker-a' \gset

-- TEST: a claim less than a second after the last heartbeat reads the worker row without
-- rewriting it: heartbeat_at stays
select pgqrs_test.advance_clock('0.5 seconds') \gset
select count(*) as claimed from pgqrs.claim_workflows('worker-a') \gset
select is(k.heartbeat_at, :'t0'::timestamptz, '0.5 s later: heartbeat_at unchanged') from pgqrs_test.worker_row('worker-a') k;
select is((select ctid::text from pgqrs.workers where name = 'worker-a'), :'ctid_before',
    '0.5 s later: the row is not rewritten');
select pgqrs_test.set_clock(:'t0'::timestamptz + interval '0.999 seconds') \gset
select count(*) as claimed from pgqrs.claim_workflows('worker-a') \gset
select is(k.heartbeat_at, :'t0'::timestamptz, '0.999 s later: heartbeat_at unchanged') from pgqrs_test.worker_row('worker-a') k;

-- TEST: once the stored heartbeat is a second old or more, the claim records it as now
select pgqrs_test.set_clock(:'t0'::timestamptz + interval '1 second') as t1 \gset
select count(*) as claimed from pgqrs.claim_workflows('worker-a') \gset
select is(k.heartbeat_at, :'t1'::timestamptz, '1 s later: heartbeat_at is now') from pgqrs_test.worker_row('worker-a') k;
select pgqrs_test.set_clock(:'t0'::timestamptz + interval '1.5 seconds') \gset
select count(*) as claimed from pgqrs.claim_workflows('worker-a') \gset
select is(k.heartbeat_at, :'t1'::timestamptz, '0.5 s after that: unchanged') from pgqrs_test.worker_row('worker-a') k;
select pgqrs_test.set_clock(:'t0'::timestamptz + interval '2.5 seconds') as t2 \gset
select count(*) as claimed from pgqrs.claim_workflows('worker-a') \gset
select is(k.heartbeat_at, :'t2'::timestamptz, '1.5 s after that: heartbeat_at is now') from pgqrs_test.worker_row('worker-a') k;
select is(k.started_at, :'t0'::timestamptz, 'started_at unchanged') from pgqrs_test.worker_row('worker-a') k;

-- TEST: a stopped worker that claims again is alive again at once: stopped_at is cleared and
-- heartbeat_at is now, however recent the last heartbeat
select pgqrs_test.advance_clock('0.2 seconds') \gset
select pgqrs.stop_worker('worker-a') \gset
select isnt(k.stopped_at, null, 'stop_worker set stopped_at') from pgqrs_test.worker_row('worker-a') k;
select pgqrs_test.advance_clock('0.1 seconds') as t3 \gset
select count(*) as claimed from pgqrs.claim_workflows('worker-a') \gset
select is(k.stopped_at, null, 'stopped_at is cleared') from pgqrs_test.worker_row('worker-a') k;
select is(k.heartbeat_at, :'t3'::timestamptz, 'heartbeat_at is now') from pgqrs_test.worker_row('worker-a') k;
select is(l.alive, true, 'listed alive') from pgqrs.list_workers() l where l.name = 'worker-a';
-- TEST: the throttle still applies to what it claims: a queued workflow is handed out
select pgqrs_test.queued_workflow() as queued_id \gset
select results_eq($$select workflow_id from pgqrs.claim_workflows('worker-a')$$,
    format('values (%L::uuid)', :'queued_id'), 'a claim within the second still hands out work');

select * from finish();
rollback;
