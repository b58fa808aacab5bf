begin;
select plan(3);

-- Two workflows created at 00:10, three created and finished at 00:11 (one of each outcome).
select pgqrs_test.set_clock('2030-01-01 00:10:20+00') \gset
select pgqrs_test.new_workflow(), pgqrs_test.new_workflow() \gset
select pgqrs_test.set_clock('2030-01-01 00:11:05+00') \gset
select pgqrs_test.finished_workflow('SUCCESS'), pgqrs_test.finished_workflow('FAILED'),
       pgqrs_test.finished_workflow('CANCELLED') \gset
select pgqrs_test.set_clock('2030-01-01 00:12:59+00') \gset

-- TEST: one row per minute of the window, the current minute last, empty minutes included
select results_eq(
    $$select minute, created, succeeded, failed, cancelled from pgqrs.workflow_throughput(3)$$,
    $$values ('2030-01-01 00:10:00+00'::timestamptz, 2::bigint, 0::bigint, 0::bigint, 0::bigint),
             ('2030-01-01 00:11:00+00', 3, 1, 1, 1),
             ('2030-01-01 00:12:00+00', 0, 0, 0, 0)$$,
    'created and finished per minute');
-- TEST: the window is p_minutes long (60 by default)
select is((select count(*) from pgqrs.workflow_throughput()), 60::bigint, 'an hour by default');
-- TEST: a window that starts later leaves the earlier minutes out
select is((select sum(created) from pgqrs.workflow_throughput(2)), 3::numeric,
          'the last two minutes: 00:11 and 00:12');

select * from finish();
rollback;
