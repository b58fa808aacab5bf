begin;
select plan(4);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-stale-a', array['wf']) \gset
select pgqrs_test.worker('wq-stale-b', array['wf-other']) \gset
select pgqrs.set_queue('cq-stale', '{"concurrency": 1}') \gset
select pgqrs_test.fill_queue('cq-stale', 1) as first \gset
select pgqrs_test.claim_ids('wq-stale-a', 1, 30) as held \gset
select pgqrs_test.fill_queue('cq-stale', 1, '{}', 'wf-other') as second \gset
select is(pgqrs_test.claim_ids('wq-stale-b'), '{}'::uuid[], 'the queue is full');

-- TEST: once the holder's lease has expired, its slot is free for other work of the queue
select pgqrs_test.expire_lease((:'first'::uuid[])[1]) \gset
select is(pgqrs_test.claim_ids('wq-stale-b'), :'second'::uuid[], 'another workflow takes the slot');
select is((select workflow_id from pgqrs.queue_slots where queue = 'cq-stale'), (:'second'::uuid[])[1],
          'its slot now');
-- TEST: and the workflow whose lease expired is not recovered while the queue is full
select is(pgqrs_test.claim_ids('wq-stale-a'), '{}'::uuid[], 'not recovered: no slot');

select * from finish();
rollback;
