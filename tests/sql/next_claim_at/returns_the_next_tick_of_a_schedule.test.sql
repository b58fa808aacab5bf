begin;
select plan(3);

select pgqrs_test.set_clock('2030-01-01 10:02:00+00');
select pgqrs_test.worker('worker-sn', array['wf-sn']) \gset
select pgqrs_test.queued_workflow('wf-sn', p_run_at => '2030-01-01 11:00:00+00') \gset

-- TEST: the next tick of a schedule, whatever workflow it starts (every claim fires schedules),
-- when it comes first
select * from pgqrs.set_schedule('sched-next', 'report-sn', '*/5 * * * *');
select is(pgqrs.next_claim_at('worker-sn'), '2030-01-01 10:05:00+00'::timestamptz, 'the tick');
-- TEST: a paused schedule does not count
select pgqrs.pause_schedule('sched-next');
select is(pgqrs.next_claim_at('worker-sn'), '2030-01-01 11:00:00+00'::timestamptz, 'the queued one');
-- TEST: a due tick: a time in the past (claim now)
select pgqrs.resume_schedule('sched-next');
select pgqrs_test.set_clock('2030-01-01 10:07:00+00');
select is(pgqrs.next_claim_at('worker-sn'), '2030-01-01 10:05:00+00'::timestamptz, 'due');

select * from finish();
rollback;
