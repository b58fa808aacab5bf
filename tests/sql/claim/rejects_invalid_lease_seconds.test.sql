begin;
select plan(7);

select pgqrs_test.worker('worker-a', array['wf']) \gset
select pgqrs_test.queued_workflow() as workflow_id \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: a lease length that is NULL or not in (0, 86400] seconds raises PQ008 ...
select throws_ok(format('select * from pgqrs.claim(%L, gen_random_uuid(), 1, %L)', 'worker-a', s),
                 'PQ008', null, coalesce(s, 'NULL') || ': PQ008')
  from unnest(array['0', '-1', '86400.5', 'NaN', null]) s;
-- TEST: ... and claims nothing
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');
-- TEST: a day is accepted
select pgqrs_test.set_clock() as t0 \gset
select workflow_id as claimed from pgqrs.claim('worker-a', gen_random_uuid(), 1, 86400) \gset
select is(w.lease_expires_at, :'t0'::timestamptz + interval '1 day', '86400: a lease of a day')
  from pgqrs_test.workflow(:'claimed') w;

select * from finish();
rollback;
