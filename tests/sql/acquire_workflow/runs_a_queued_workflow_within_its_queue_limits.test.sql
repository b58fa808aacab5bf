begin;
select plan(7);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-acq-a', array['wf']) \gset
select pgqrs.set_queue('aq-full', '{"concurrency": 1}') \gset
select pgqrs.set_queue('aq-rate', '{"rate_limit": 1, "rate_period_seconds": 60}') \gset
select pgqrs.set_queue('aq-paused', '{"paused": true}') \gset
select pgqrs_test.fill_queue('aq-full', 2) as full_ids \gset
select pgqrs_test.fill_queue('aq-rate', 2, '{}', 'wf-acq-rate') as rate_ids \gset
select pgqrs_test.fill_queue('aq-paused', 1, '{}', 'wf-acq-paused') as paused_ids \gset
select pgqrs_test.claim_ids('wq-acq-a', 10) \gset

-- TEST: acquiring a workflow of a full queue raises PQ002 and runs nothing
select throws_ok(format('select * from pgqrs.acquire_workflow(%L, %L)', (:'full_ids'::uuid[])[2], 'runner-x'),
                 'PQ002', format('pgqrs: workflow %s is held back by the limits of its queue aq-full', (:'full_ids'::uuid[])[2]),
                 'a full queue');
select is(w.status, 'PENDING', 'still PENDING') from pgqrs_test.workflow((:'full_ids'::uuid[])[2]) w;
-- TEST: once a slot is free, acquiring it takes the slot: no worker can start another
select pgqrs_test.complete((:'full_ids'::uuid[])[1]) \gset
select is(a.status, 'RUNNING', 'acquired') from pgqrs.acquire_workflow((:'full_ids'::uuid[])[2], 'runner-x') a;
select pgqrs_test.fill_queue('aq-full', 1) \gset
select is(pgqrs_test.claim_ids('wq-acq-a', 10), '{}'::uuid[], 'the queue is full');
-- TEST: a first start needs a permit; a paused queue lets nothing run
select pgqrs_test.claim_ids('wq-acq-a', 10) \gset
select pgqrs.register_worker('wq-acq-b', array['wf-acq-rate']) \gset
select is(cardinality(pgqrs_test.claim_ids('wq-acq-b', 10)), 1, 'one start uses the permit');
select throws_ok(format('select * from pgqrs.acquire_workflow(%L, %L)', (:'rate_ids'::uuid[])[2], 'runner-x'),
                 'PQ002', null, 'no permit');
select throws_ok(format('select * from pgqrs.acquire_workflow(%L, %L)', (:'paused_ids'::uuid[])[1], 'runner-x'),
                 'PQ002', null, 'paused');

select * from finish();
rollback;
