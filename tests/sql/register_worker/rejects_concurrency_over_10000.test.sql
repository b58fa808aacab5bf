begin;
select plan(4);

-- TEST: a concurrency over 10000 raises PQ008 (below 1: rejects_concurrency_below_1) ...
select throws_ok($$select pgqrs.register_worker('worker-a', array['wf'], 10001)$$,
    'PQ008', null, '10001: PQ008');
-- TEST: ... and records nothing
select is((select count(*) from pgqrs.workers), 0::bigint, 'no worker was recorded');
-- TEST: 10000 is accepted
select lives_ok($$select pgqrs.register_worker('worker-a', array['wf'], 10000)$$, '10000 is accepted');
select is(k.concurrency, 10000, 'and stored') from pgqrs_test.worker_row('worker-a') k;

select * from finish();
rollback;
