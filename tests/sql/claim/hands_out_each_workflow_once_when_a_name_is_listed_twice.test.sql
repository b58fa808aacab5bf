begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select pgqrs.register_worker('worker-a', array['wf', 'wf-other', 'wf']) \gset
select pgqrs_test.queued_workflow(p_input => '{"n": 1}') as w1 \gset
select pgqrs_test.advance_clock('1 second') \gset
select pgqrs_test.queued_workflow(p_input => '{"n": 2}') as w2 \gset
create temp table claimed as select * from pgqrs.claim('worker-a', gen_random_uuid(), 10);

-- TEST: a worker registered with a name twice gets each workflow once, under one lease (SKIP
-- LOCKED does not skip the rows a claim has locked itself)
select results_eq('select workflow_id, token from claimed order by workflow_id',
                  format('values (%L::uuid, 1::bigint), (%L::uuid, 1::bigint) order by 1', :'w1', :'w2'),
                  'w1 and w2, once each, token 1');
select is(w.lease_token, 1::bigint, 'w1 was granted once') from pgqrs_test.workflow(:'w1') w;
select is(w.lease_token, 1::bigint, 'w2 was granted once') from pgqrs_test.workflow(:'w2') w;

select * from finish();
rollback;
