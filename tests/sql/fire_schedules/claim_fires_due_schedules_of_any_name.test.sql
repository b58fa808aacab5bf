begin;
select plan(4);

select pgqrs_test.set_clock('2030-01-01 10:02:00+00');
select pgqrs_test.worker('worker-sc', array['other-sc']) \gset
select pgqrs_test.worker('worker-sd', array['report-sc']) \gset
select * from pgqrs.set_schedule('sched-claim', 'report-sc', '*/5 * * * *', p_input => '{"n": 1}');
select pgqrs_test.set_clock('2030-01-01 10:05:30+00');

-- TEST: a claim by a worker that does not serve the schedule's workflow still fires it ...
select is_empty($$select * from pgqrs.claim('worker-sc', gen_random_uuid(), 1)$$,
                'nothing for worker-sc to run');
select is(w.status, 'PENDING', 'started, queued') from pgqrs.workflows w where w.name = 'report-sc';
-- TEST: ... and a worker that serves it claims it, with the tick's input
select is(c.input, '{"input": {"n": 1}, "schedule": "sched-claim", "scheduled_at": "2030-01-01T10:05:00Z"}'::jsonb,
          'the tick input')
  from pgqrs.claim('worker-sd', gen_random_uuid(), 1) c;
-- TEST: the fired workflow is available from its tick, so that the claim that fires it can take
-- it when it serves the name, and caught-up ticks are claimed oldest first
select is(w.available_at, '2030-01-01 10:05:00+00'::timestamptz, 'available from the tick')
  from pgqrs.workflows w where w.name = 'report-sc';

select * from finish();
rollback;
