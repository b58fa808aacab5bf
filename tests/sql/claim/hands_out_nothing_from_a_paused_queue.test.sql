begin;
select plan(4);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-pause-a', array['wf']) \gset
select pgqrs.set_queue('cq-pause', '{"paused": true}') \gset
select pgqrs_test.fill_queue('cq-pause', 2) as ids \gset
select pgqrs_test.fill_queue('cq-pause', 1, '{"concurrency_key": "k"}') as keyed \gset

-- TEST: a paused queue hands out nothing, keyed work included
select is(pgqrs_test.claim_ids('wq-pause-a'), '{}'::uuid[], 'nothing');
-- TEST: other queues are not held back
select pgqrs_test.queued_workflow() as plain \gset
select is(pgqrs_test.claim_ids('wq-pause-a'), array[:'plain'::uuid], 'the default queue runs');
-- TEST: resumed, it hands out its work at once
select pgqrs.set_queue('cq-pause', '{"paused": false}') \gset
select is(cardinality(pgqrs_test.claim_ids('wq-pause-a')), 3, 'all three');
-- TEST: work that runs when the queue is paused goes on
select pgqrs.set_queue('cq-pause', '{"paused": true}') \gset
select lives_ok(format('select pgqrs_test.complete(%L)', (:'ids'::uuid[])[1]), 'a running workflow completes');

select * from finish();
rollback;
