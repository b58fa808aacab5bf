begin;
select plan(4);

select pgqrs_test.set_clock('2030-01-01 10:02:00+00');
select pgqrs_test.worker('worker-sx', array['wf-sx']) \gset
select * from pgqrs.set_schedule('sched-broken', 'report-bx', '*/5 * * * *');
-- Options that set_schedule would refuse, written behind its back.
update pgqrs.schedules set options = '{"priority": 5000}' where name = 'sched-broken';
select pgqrs_test.queued_workflow('wf-sx') as queued \gset
select pgqrs_test.set_clock('2030-01-01 10:05:00+00');

-- TEST: the claim goes on and hands out its work
select is(array(select c.workflow_id from pgqrs.claim('worker-sx', gen_random_uuid(), 1) c),
          array[:'queued'::uuid], 'the claim works');
-- TEST: the tick started nothing, and says why in last_error
select is((select count(*) from pgqrs.workflows w where w.name = 'report-bx'), 0::bigint, 'nothing started');
select ok(l.last_error ~ '^tick 2030-01-01T10:05:00Z: pgqrs: priority must be between -1000 and 1000.*\(PQ008\)$',
          'last_error: ' || l.last_error)
  from pgqrs.list_schedules() l where l.name = 'sched-broken';
-- TEST: the schedule moved on to its next tick
select is(s.next_run_at, '2030-01-01 10:10:00+00'::timestamptz, 'next tick')
  from pgqrs.schedules s where s.name = 'sched-broken';

select * from finish();
rollback;
