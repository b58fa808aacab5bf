begin;
select plan(8);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
create temp table slept as
    select * from pgqrs.sleep_step(:'workflow_id', 'nap', :token, 1, p_seconds => 3600);

-- TEST: the first call records the step WAITING, with the wake time (now + p_seconds) as its
-- timeout_at, at its position, under the caller's token and owner, with no outcome yet
select is(s.status, 'WAITING', 'WAITING') from pgqrs_test.step(:'workflow_id', 'nap') s;
select is(s.timeout_at, :'t0'::timestamptz + interval '1 hour', 'timeout_at is the wake time')
  from pgqrs_test.step(:'workflow_id', 'nap') s;
select is(s.position, 1, 'at its position') from pgqrs_test.step(:'workflow_id', 'nap') s;
select is(s.lease_token, :token::bigint, 'under the caller''s token') from pgqrs_test.step(:'workflow_id', 'nap') s;
select is(s.owner, 'runner-a', 'the caller is its owner') from pgqrs_test.step(:'workflow_id', 'nap') s;
select is(s.output, null, 'no output yet') from pgqrs_test.step(:'workflow_id', 'nap') s;
select is(s.finished_at, null, 'not finished') from pgqrs_test.step(:'workflow_id', 'nap') s;
-- TEST: and answers with the wake time and the seconds remaining
select results_eq('select status, wake_at, remaining from slept',
    format($$values ('SUSPENDED'::text, %L::timestamptz, 3600::float8)$$,
           :'t0'::timestamptz + interval '1 hour'),
    'SUSPENDED, wake_at, remaining');

select * from finish();
rollback;
