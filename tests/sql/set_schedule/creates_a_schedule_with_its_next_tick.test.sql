begin;
select plan(2);

select pgqrs_test.set_clock('2030-01-01 10:02:00+00');
create temporary table made as
    select * from pgqrs.set_schedule('sched-create', 'report', '*/5 * * * *',
                                     p_input => '{"team": "ops"}');

-- TEST: a new schedule is stored with its settings (time zone UTC, no start options, running,
-- missed ticks skipped) and the first tick after now; nothing fired yet
select is(row(m.name, m.workflow, m.cron, m.timezone, m.input, m.options, m.paused, m.missed,
              m.catch_up_limit, m.next_run_at, m.last_run_at, m.last_workflow_id, m.last_error,
              m.created_at, m.updated_at)::text,
          row('sched-create', 'report', '*/5 * * * *', 'UTC', '{"team": "ops"}'::jsonb,
              '{}'::jsonb, false, 'skip', null::integer,
              '2030-01-01 10:05:00+00'::timestamptz, null::timestamptz, null::uuid, null::text,
              pgqrs.now(), pgqrs.now())::text,
          'the schedule')
  from made m;
-- TEST: what set_schedule returns is the row list_schedules shows
select results_eq('select * from made', $$select * from pgqrs.list_schedules() where name = 'sched-create'$$,
                  'as list_schedules shows it');

select * from finish();
rollback;
