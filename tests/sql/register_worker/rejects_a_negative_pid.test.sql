begin;
select plan(4);

-- TEST: a negative pid raises PQ008 ...
select throws_ok($$select pgqrs.register_worker('worker-a', array['wf'], 1, 'host', -1)$$,
    'PQ008', null, '-1: PQ008');
-- TEST: ... and records nothing
select is((select count(*) from pgqrs.workers), 0::bigint, 'no worker was recorded');
-- TEST: 0 and NULL are accepted
select lives_ok($$select pgqrs.register_worker('worker-a', array['wf'], 1, 'host', 0)$$, '0 is accepted');
select lives_ok($$select pgqrs.register_worker('worker-a', array['wf'], 1, 'host', null)$$, 'NULL is accepted');

select * from finish();
rollback;
