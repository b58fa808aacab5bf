begin;
select plan(4);

-- One queue of concurrency 1 per way a run ends, each with two workflows: the first runs and
-- holds the queue's slot, the second waits for it.
select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-gb-a', array['wf-gb']) \gset
select pgqrs_test.worker('wq-gb-b', array['wf-gb-stop']) \gset
select pgqrs_test.worker('wq-gb-c', array['wf-gb-restart']) \gset
create temp table ends (queue text primary key, name text, first uuid, second uuid);
insert into ends (queue, name)
select 'gb-' || e, case e when 'stop' then 'wf-gb-stop' when 'restart' then 'wf-gb-restart' else 'wf-gb' end
  from unnest(array['complete', 'fail', 'retry', 'suspend', 'sleep', 'recv', 'await', 'release',
                    'cancel', 'stop', 'restart']) e;
select count(*) from ends, pgqrs.set_queue(ends.queue, '{"concurrency": 1}') \gset
update ends set first = pgqrs_test.in_queue(queue,
    case when queue = 'gb-retry' then '{"max_attempts": 2}'::jsonb else '{}' end, '1', name);
select pgqrs_test.advance_clock('1 millisecond') \gset
update ends set second = pgqrs_test.in_queue(queue, '{}', '2', name);
select cardinality(pgqrs_test.claim_ids('wq-gb-a')) + cardinality(pgqrs_test.claim_ids('wq-gb-b'))
       + cardinality(pgqrs_test.claim_ids('wq-gb-c')) as claimed \gset
select is(:claimed, 11, 'the first of each queue runs');
select is(cardinality(pgqrs_test.claim_ids('wq-gb-a')), 0, 'and the others wait for a slot');
select pgqrs_test.new_workflow('wf-gb-awaited') as awaited \gset

-- Each first run ends its own way.
select pgqrs_test.complete(first) from ends where queue = 'gb-complete' \gset
select pgqrs.fail_workflow(first, pgqrs_test.token(first), '{"type": "E", "message": "no"}') from ends where queue = 'gb-fail' \gset
select pgqrs.fail_workflow(first, pgqrs_test.token(first), '{"type": "E", "message": "again"}') from ends where queue = 'gb-retry' \gset
select pgqrs.suspend_workflow(first, pgqrs_test.token(first), pgqrs.now() + interval '1 hour') from ends where queue = 'gb-suspend' \gset
select s.status as slept from ends, pgqrs.sleep_step(first, 'nap', pgqrs_test.token(first), 1, p_seconds => 3600) s where queue = 'gb-sleep' \gset
select s.status as received from ends, pgqrs.recv_message(first, 'in', pgqrs_test.token(first), 1, 'topic', 3600) s where queue = 'gb-recv' \gset
select s.status as awaits from ends, pgqrs.await_workflow(first, 'child', pgqrs_test.token(first), 1, :'awaited') s where queue = 'gb-await' \gset
select pgqrs.release_workflow(first, pgqrs_test.token(first)) from ends where queue = 'gb-release' \gset
select pgqrs.cancel_workflow(first) from ends where queue = 'gb-cancel' \gset
select pgqrs.stop_worker('wq-gb-b') \gset
select pgqrs.register_worker('wq-gb-c', array['wf-gb-restart']) \gset
select is(:'slept' || ' ' || :'received' || ' ' || :'awaits', 'SUSPENDED SUSPENDED SUSPENDED',
          'sleep, recv and await suspended their runs');

-- TEST: whatever ended the run (an outcome, a workflow retry, a suspension, a release, a cancel,
-- a worker stopped or restarted), its slot is free: the next claims start one workflow per queue
select pgqrs_test.claim_ids('wq-gb-a') || pgqrs_test.claim_ids('wq-gb-b') || pgqrs_test.claim_ids('wq-gb-c') as reclaimed \gset
select results_eq(
    $$select e.queue, pgqrs_test.running_in(e.queue),
             (select array_agg(s.workflow_id) from pgqrs.queue_slots s where s.queue = e.queue)
                 = (select array_agg(w.id) from pgqrs.workflows w
                     where w.queue = e.queue and w.status = 'RUNNING' and w.lease_owner is not null)
        from ends e order by e.queue$$,
    $$select 'gb-' || e, 1::bigint, true
        from unnest(array['await', 'cancel', 'complete', 'fail', 'recv', 'release', 'restart',
                          'retry', 'sleep', 'stop', 'suspend']) e$$,
    'one runs in each queue, and it holds the slot');

select * from finish();
rollback;
