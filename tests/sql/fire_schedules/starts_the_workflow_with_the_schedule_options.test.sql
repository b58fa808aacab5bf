begin;
select plan(1);

select pgqrs_test.set_clock('2030-01-01 10:02:00+00');
select * from pgqrs.set_schedule('sched-options', 'report-op', '0 * * * *', 'UTC', '[1, 2]',
    '{"queue": "reports", "priority": 7, "max_attempts": 3, "timeout_seconds": 600,
      "max_recoveries": 2}');
select pgqrs_test.set_clock('2030-01-01 11:00:00+00');
select pgqrs._fire_schedules(pgqrs.now(), 10);

-- TEST: each tick's workflow is started with the schedule's start options
select is(row(w.queue, w.priority, w.max_attempts, w.deadline_at, w.max_recoveries, w.queued,
              w.input)::text,
          row('reports', 7, 3, '2030-01-01 11:10:00+00'::timestamptz, 2, true,
              '{"input": [1, 2], "schedule": "sched-options", "scheduled_at": "2030-01-01T11:00:00Z"}'::jsonb)::text,
          'queue, priority, retries, deadline, recoveries, input')
  from pgqrs.workflows w where w.name = 'report-op';

select * from finish();
rollback;
