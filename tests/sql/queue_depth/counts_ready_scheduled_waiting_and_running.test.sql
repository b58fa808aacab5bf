begin;
select plan(3);

select pgqrs_test.set_clock('2030-01-01 00:00:00+00') \gset
-- worker-a serves wf: two of them claimed, one of which waits for a message without timeout.
select workflow_id as running from pgqrs_test.claimed_workflow('worker-a') \gset
select workflow_id as waiter, token from pgqrs_test.claimed_workflow('worker-a') \gset
select status from pgqrs.recv_message(:'waiter', 'pgqrs.recv', :token, 1, 'go') \gset
-- Two ready now, one scheduled for tomorrow; and a name nobody serves.
select pgqrs_test.queued_workflow('wf') as r1 \gset
select pgqrs_test.advance_clock('10 seconds') \gset
select pgqrs_test.queued_workflow('wf') as r2 \gset
select pgqrs_test.queued_workflow('wf', '{}', '2030-01-02 00:00:00+00') as later \gset
select pgqrs_test.queued_workflow('wf-nobody') as nobody \gset

-- TEST: one row per name: ready, scheduled, waiting, running, oldest ready and served
select results_eq(
    $$select name, ready, scheduled, waiting, running, oldest_ready, served from pgqrs.queue_depth()$$,
    $$values ('wf'::text, 2::bigint, 1::bigint, 1::bigint, 1::bigint,
              '2030-01-01 00:00:00+00'::timestamptz, true),
             ('wf-nobody', 1, 0, 0, 0, '2030-01-01 00:00:10+00', false)$$,
    'wf and wf-nobody');
-- TEST: a worker silent for longer than the stale window no longer serves
select pgqrs_test.advance_clock('1 minute') \gset
select is((select served from pgqrs.queue_depth() where name = 'wf'), false, 'stale worker');
select is((select served from pgqrs.queue_depth(3600) where name = 'wf'), true,
          'within a longer window');

select * from finish();
rollback;
