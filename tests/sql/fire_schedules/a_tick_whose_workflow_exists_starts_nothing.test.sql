begin;
select plan(4);

select pgqrs_test.set_clock('2030-01-01 10:02:00+00');
select * from pgqrs.set_schedule('sched-exists', 'report-ex', '*/5 * * * *');
-- Someone started the 10:05 tick's workflow already, with another input.
select workflow_id as existing from pgqrs.start_workflow(
    'report-ex', '{"by": "hand"}', p_idempotency_key => 'schedule:sched-exists:2030-01-01T10:05:00Z') \gset
select pgqrs_test.set_clock('2030-01-01 10:05:00+00');

-- TEST: the tick starts nothing: the workflow with its key is that tick's
select is(pgqrs._fire_schedules(pgqrs.now(), 10), 0, 'none started');
select is(array(select w.id from pgqrs.workflows w where w.name = 'report-ex'),
          array[:'existing'::uuid], 'only the existing one');
-- TEST: which is no error: the schedule moves on
select is(row(s.last_run_at, s.next_run_at, s.last_error)::text,
          row('2030-01-01 10:05:00+00'::timestamptz, '2030-01-01 10:10:00+00'::timestamptz,
              null::text)::text, 'moved on, no error')
  from pgqrs.schedules s where s.name = 'sched-exists';
select is(l.last_workflow_id, :'existing'::uuid, 'list_schedules shows it as the tick''s')
  from pgqrs.list_schedules() l where l.name = 'sched-exists';

select * from finish();
rollback;
