begin;
select plan(6);

select pgqrs_test.set_clock('2030-01-01 10:02:00+00');
select pgqrs_test.worker('worker-sp', array['report-sp']) \gset
select * from pgqrs.set_schedule('sched-pause', 'report-sp', '*/5 * * * *');

-- TEST: pausing returns true, and again (it changes nothing the second time)
select is(pgqrs.pause_schedule('sched-pause'), true, 'paused');
select updated_at as paused_at from pgqrs.schedules where name = 'sched-pause' \gset
select pgqrs_test.advance_clock('1 minute');
select is(pgqrs.pause_schedule('sched-pause'), true, 'paused again');
select is(updated_at, :'paused_at'::timestamptz, 'unchanged') from pgqrs.schedules where name = 'sched-pause';
-- TEST: past its ticks, a claim starts nothing and next_claim_at does not wake for it
select pgqrs_test.set_clock('2030-01-01 11:00:00+00');
select is_empty($$select * from pgqrs.claim('worker-sp', gen_random_uuid(), 10)$$, 'nothing claimed');
select is((select count(*) from pgqrs.workflows w where w.name = 'report-sp'), 0::bigint,
          'no workflow started');
select is(pgqrs.next_claim_at('worker-sp'), null, 'no wake-up');

select * from finish();
rollback;
