begin;
select plan(3);

select pgqrs_test.set_clock('2030-01-01 10:02:00+00');
select * from pgqrs.set_schedule('sched-list-b', 'report-sl', '*/5 * * * *');
select * from pgqrs.set_schedule('sched-list-a', 'report-sl', '0 0 * * *');
select pgqrs_test.set_clock('2030-01-01 10:05:00+00');
select pgqrs._fire_schedules(pgqrs.now(), 10);
select w.id as workflow_id from pgqrs.workflows w
 where w.idempotency_key = 'schedule:sched-list-b:2030-01-01T10:05:00Z' \gset

-- TEST: schedules by name
select is(array(select l.name from pgqrs.list_schedules() l where l.name like 'sched-list-%'),
          array['sched-list-a', 'sched-list-b'], 'by name');
-- TEST: a fired schedule shows its last tick, that tick's workflow and its status, and its next
select is(row(l.last_run_at, l.last_workflow_id, l.last_status, l.next_run_at, l.last_error)::text,
          row('2030-01-01 10:05:00+00'::timestamptz, :'workflow_id'::uuid, 'PENDING',
              '2030-01-01 10:10:00+00'::timestamptz, null::text)::text,
          'last tick and its workflow')
  from pgqrs.list_schedules() l where l.name = 'sched-list-b';
-- TEST: one that never fired has none
select is(row(l.last_run_at, l.last_workflow_id, l.last_status)::text,
          row(null::timestamptz, null::uuid, null::text)::text, 'nothing fired')
  from pgqrs.list_schedules() l where l.name = 'sched-list-a';

select * from finish();
rollback;
