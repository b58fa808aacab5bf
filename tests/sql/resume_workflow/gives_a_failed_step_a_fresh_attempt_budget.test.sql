begin;
select plan(6);

-- Policy of the step: 2 attempts, 1 s backoff.
select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'charge', :token, 1, 2, 1, 1) \gset
select status from pgqrs.fail_step_attempt(:'workflow_id', 'charge', :token, '"e1"') \gset
select pgqrs_test.advance_clock('1 second') \gset
select status from pgqrs.begin_step(:'workflow_id', 'charge', :token, 1, 2, 1, 1) \gset
select status as exhausted from pgqrs.fail_step_attempt(:'workflow_id', 'charge', :token, '"e2"') \gset
select pgqrs.fail_workflow(:'workflow_id', :token, '"e2"') \gset
select pgqrs.resume_workflow(:'workflow_id') \gset
select token as t2 from pgqrs.acquire_workflow(:'workflow_id', 'runner-a') \gset

-- TEST: the step had used its 2 attempts ...
select is(:'exhausted'::text, 'FAILED', 'FAILED after 2 attempts');
-- TEST: ... after resume it may fail max_attempts (2) more times: attempt 3 retries, attempt 4 fails
select results_eq(format('select status, attempt from pgqrs.begin_step(%L, %L, %s, 1, 2, 1, 1)', :'workflow_id', 'charge', :t2),
    $$values ('EXECUTE', 3)$$, 'attempt 3 runs');
select results_eq(format('select status, attempt from pgqrs.fail_step_attempt(%L, %L, %s, %L)', :'workflow_id', 'charge', :t2, '"e3"'),
    $$values ('RETRYING', 3)$$, 'attempt 3 fails: RETRYING');
select pgqrs_test.advance_clock('1 second') \gset
select results_eq(format('select status, attempt from pgqrs.begin_step(%L, %L, %s, 1, 2, 1, 1)', :'workflow_id', 'charge', :t2),
    $$values ('EXECUTE', 4)$$, 'attempt 4 runs');
select results_eq(format('select status, attempt from pgqrs.fail_step_attempt(%L, %L, %s, %L)', :'workflow_id', 'charge', :t2, '"e4"'),
    $$values ('FAILED', 4)$$, 'attempt 4 fails: FAILED');
select is((select count(*) from pgqrs.step_attempts a where a.workflow_id = :'workflow_id'), 4::bigint,
    'four attempts recorded');

select * from finish();
rollback;
