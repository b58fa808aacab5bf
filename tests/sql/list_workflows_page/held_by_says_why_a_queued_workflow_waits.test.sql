begin;
select plan(9);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.worker('wq-held-a', array['wf', 'wf-held-recv']) \gset
select pgqrs.set_queue('hq-full', '{"concurrency": 1}') \gset
select pgqrs.set_queue('hq-rate', '{"rate_limit": 1, "rate_period_seconds": 60}') \gset
select pgqrs.set_queue('hq-key', '{"key_concurrency": 1}') \gset
select pgqrs.set_queue('hq-paused', '{"paused": true, "concurrency": 1}') \gset
select pgqrs_test.fill_queue('hq-full', 2) as full_ids \gset
select pgqrs_test.fill_queue('hq-rate', 2) as rate_ids \gset
select pgqrs_test.fill_queue('hq-key', 2, '{"concurrency_key": "t1"}') as key_ids \gset
select pgqrs_test.fill_queue('hq-paused', 1) as paused_ids \gset
select pgqrs_test.fill_queue('hq-recv', 1, '{}', 'wf-held-recv') as recv_ids \gset
select pgqrs_test.in_queue('hq-later', jsonb_build_object('run_at', :'t0'::timestamptz + interval '1 hour')) as later \gset
select pgqrs_test.fill_queue('hq-nobody', 1, '{}', 'wf-held-unserved') as unserved_ids \gset
select cardinality(pgqrs_test.claim_ids('wq-held-a', 100, 600)) as claimed \gset
select s.status from pgqrs.recv_message((:'recv_ids'::uuid[])[1], 'in', pgqrs_test.token((:'recv_ids'::uuid[])[1]),
                                        1, 'orders') s \gset
create temp table held as select id, held_by from pgqrs.list_workflows_page(p_limit => 1000);

-- TEST: a full queue: its concurrency, as many held as allowed
select is(held_by, 'queue hq-full: concurrency 1 of 1', 'full') from held where id = (:'full_ids'::uuid[])[2];
-- TEST: a rate limit without a free permit
select is(held_by, 'queue hq-rate: rate limit 1 per 00:01:00', 'rate') from held where id = (:'rate_ids'::uuid[])[2];
-- TEST: a key at its limit
select is(held_by, 'queue hq-key: key t1 at 1 of 1', 'key') from held where id = (:'key_ids'::uuid[])[2];
-- TEST: a paused queue
select is(held_by, 'queue hq-paused is paused', 'paused') from held where id = (:'paused_ids'::uuid[])[1];
-- TEST: a message it waits for, and a time
select is(held_by, 'waiting for message:orders', 'a message') from held where id = (:'recv_ids'::uuid[])[1];
select is(held_by, 'available at ' || (:'t0'::timestamptz + interval '1 hour')::text, 'a time') from held where id = :'later';
-- TEST: no live worker serves its name
select is(held_by, 'no live worker serves wf-held-unserved', 'unserved') from held where id = (:'unserved_ids'::uuid[])[1];
-- TEST: NULL for a running workflow, and for a finished one
select is(held_by, null, 'running') from held where id = (:'full_ids'::uuid[])[1];
select pgqrs_test.complete((:'rate_ids'::uuid[])[1]) \gset
select is(p.held_by, null, 'finished') from pgqrs.list_workflows_page(p_limit => 1000) p where p.id = (:'rate_ids'::uuid[])[1];

select * from finish();
rollback;
