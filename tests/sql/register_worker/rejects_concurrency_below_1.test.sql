begin;
select plan(5);

-- TEST: concurrency must be 1 or more
select throws_ok($$select pgqrs.register_worker('worker-a', array['wf'], 0)$$, 'PQ008', null, '0: PQ008');
select throws_ok($$select pgqrs.register_worker('worker-a', array['wf'], -3)$$, 'PQ008', null, '-3: PQ008');
select throws_ok($$select pgqrs.register_worker('worker-a', array['wf'], null)$$, 'PQ008', null, 'NULL: PQ008');
select is((select count(*) from pgqrs.workers), 0::bigint, 'no worker was recorded');
select lives_ok($$select pgqrs.register_worker('worker-a', array['wf'], 1)$$, '1 is accepted');

select * from finish();
rollback;
