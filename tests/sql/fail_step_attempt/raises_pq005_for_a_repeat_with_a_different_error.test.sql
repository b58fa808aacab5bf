begin;
select plan(4);

select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 10, 60) \gset
select status from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :token, '"e1"') \gset
select status from pgqrs.begin_step(:'workflow_id', 'done', :token, 2) \gset
select status from pgqrs.fail_step_attempt(:'workflow_id', 'done', :token, '"e1"') \gset

-- TEST: another error for a RETRYING step (not RUNNING, and no repeat): PQ005
select throws_ok(format('select pgqrs.fail_step_attempt(%L, %L, %s, %L)', :'workflow_id', 'fetch', :token, '"e2"'),
    'PQ005', null, 'RETRYING step: PQ005');
-- TEST: likewise for a FAILED step
select throws_ok(format('select pgqrs.fail_step_attempt(%L, %L, %s, %L)', :'workflow_id', 'done', :token, '"e2"'),
    'PQ005', null, 'FAILED step: PQ005');
-- TEST: and nothing changes
select is(s.error, '{"type": null, "message": "e1"}'::jsonb, 'the error is kept')
  from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is((select count(*) from pgqrs.step_attempts a where a.workflow_id = :'workflow_id'), 2::bigint,
    'no new attempt row');

select * from finish();
rollback;
