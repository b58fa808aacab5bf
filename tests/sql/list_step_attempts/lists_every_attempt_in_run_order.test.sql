begin;
select plan(2);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
-- fetch (position 1): attempt 1 fails, attempt 2 succeeds.
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 10, 60) \gset
select pgqrs_test.advance_clock('1 second') as t1 \gset
select status from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :token, '"e1"') \gset
select pgqrs_test.set_clock(s.retry_at) as t2 from pgqrs_test.step(:'workflow_id', 'fetch') s \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 10, 60) \gset
select pgqrs_test.advance_clock('1 second') as t3 \gset
select pgqrs.complete_step(:'workflow_id', 'fetch', :token, '"ok"') \gset
-- parse (position 2): fails for good.
select status from pgqrs.begin_step(:'workflow_id', 'parse', :token, 2) \gset
select pgqrs_test.advance_clock('1 second') as t4 \gset
select status from pgqrs.fail_step_attempt(:'workflow_id', 'parse', :token, '"bad"', false) \gset
-- load (position 3): running.
select pgqrs_test.advance_clock('1 second') as t5 \gset
select status from pgqrs.begin_step(:'workflow_id', 'load', :token, 3) \gset

-- TEST: every attempt of every step, in run order, with its status and error
select results_eq(
    format('select step_key, step_position, attempt, status, error from pgqrs.list_step_attempts(%L)', :'workflow_id'),
    $$values ('fetch', 1, 1, 'FAILED', '{"type": null, "message": "e1"}'::jsonb),
             ('fetch', 1, 2, 'SUCCESS', null),
             ('parse', 2, 1, 'FAILED', '{"type": null, "message": "bad"}'),
             ('load', 3, 1, 'RUNNING', null)$$,
    'fetch 1 and 2, parse 1, load 1');
-- TEST: with the runner and the times of each attempt
select results_eq(
    format('select owner, started_at, finished_at from pgqrs.list_step_attempts(%L)', :'workflow_id'),
    format($$values ('runner-a', %L::timestamptz, %L::timestamptz),
                    ('runner-a', %L, %L),
                    ('runner-a', %L, %L),
                    ('runner-a', %L, null)$$,
           :'t0', :'t1', :'t2', :'t3', :'t3', :'t4', :'t5'),
    'owners and times');

select * from finish();
rollback;
