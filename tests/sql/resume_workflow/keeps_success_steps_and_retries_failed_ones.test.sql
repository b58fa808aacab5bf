begin;
select plan(8);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1) \gset
select pgqrs.complete_step(:'workflow_id', 'fetch', :token, '"rows"') \gset
select status from pgqrs.begin_step(:'workflow_id', 'parse', :token, 2, 2, 1, 1) \gset
select status from pgqrs.fail_step_attempt(:'workflow_id', 'parse', :token, '"bad"', false) \gset
select pgqrs.fail_workflow(:'workflow_id', :token, '"bad"') \gset
select pgqrs_test.advance_clock('1 hour') as t1 \gset
select pgqrs.resume_workflow(:'workflow_id') \gset

-- TEST: the SUCCESS step stays as it was
select is(s.status, 'SUCCESS', 'fetch stays SUCCESS') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.output, '"rows"'::jsonb, 'with its output') from pgqrs_test.step(:'workflow_id', 'fetch') s;
-- TEST: the FAILED step becomes RETRYING, due now, with a fresh budget counted from its attempt
select is(s.status, 'RETRYING', 'parse is RETRYING') from pgqrs_test.step(:'workflow_id', 'parse') s;
select is(s.retry_at, :'t1'::timestamptz, 'due now') from pgqrs_test.step(:'workflow_id', 'parse') s;
select is(s.retry_base, 1, 'retry_base = its attempt') from pgqrs_test.step(:'workflow_id', 'parse') s;
select is(s.error, '{"type": null, "message": "bad"}'::jsonb, 'its error is kept for the record')
  from pgqrs_test.step(:'workflow_id', 'parse') s;
-- TEST: a new run replays fetch and runs parse again
select token as new_token from pgqrs.acquire_workflow(:'workflow_id', 'runner-b') \gset
select results_eq(format('select status, value from pgqrs.begin_step(%L, %L, %s, 1)', :'workflow_id', 'fetch', :new_token),
    $$values ('SKIPPED', '"rows"'::jsonb)$$, 'fetch: SKIPPED');
select results_eq(format('select status, attempt from pgqrs.begin_step(%L, %L, %s, 2, 2, 1, 1)', :'workflow_id', 'parse', :new_token),
    $$values ('EXECUTE', 2)$$, 'parse: EXECUTE attempt 2');

select * from finish();
rollback;
