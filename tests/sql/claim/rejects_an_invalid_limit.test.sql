begin;
select plan(6);

select pgqrs_test.worker('worker-a', array['wf']) \gset
select pgqrs_test.queued_workflow() as workflow_id \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: a limit that is NULL or not in 1..1000 raises PQ008 ...
select throws_ok(format('select * from pgqrs.claim(%L, gen_random_uuid(), %s)', 'worker-a', l),
                 'PQ008', null, l || ': PQ008')
  from unnest(array['0', '-1', '1001', 'null']) l;
-- TEST: ... and claims nothing (not even the worker's heartbeat is written)
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');
-- TEST: 1000 is accepted
select is((select count(*) from pgqrs.claim('worker-a', gen_random_uuid(), 1000)), 1::bigint,
    '1000: the one queued workflow');

select * from finish();
rollback;
