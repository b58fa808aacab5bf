begin;
select plan(5);

select pgqrs_test.set_clock() as t0 \gset
create temp table submitted as select * from pgqrs.submit_workflow('wf', '{"n": 1}');

-- TEST: without options the workflow is created PENDING and queued for workers now
select is(s.created, true, 'created') from submitted s;
select is(s.status, 'PENDING', 'PENDING') from submitted s;
select is(w.queued, true, 'queued') from submitted s, pgqrs_test.workflow(s.workflow_id) w;
select is(w.available_at, :'t0'::timestamptz, 'available now') from submitted s, pgqrs_test.workflow(s.workflow_id) w;
-- TEST: with the default policies
select results_eq(
    'select d.deadline_at, d.attempt, d.max_attempts, d.retry_backoff, d.retry_max_backoff, d.max_recoveries
       from submitted s, pgqrs.describe_workflow(s.workflow_id) d',
    $$values (null::timestamptz, 1, 1, 1::float8, 3600::float8, 5)$$, 'no deadline, one attempt, 5 recoveries');

select * from finish();
rollback;
