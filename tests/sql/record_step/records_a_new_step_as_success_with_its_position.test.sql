begin;
select plan(15);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select pgqrs_test.advance_clock('10 seconds') as t1 \gset
select pgqrs.record_step(:'workflow_id', 'fetch', :token, 1, '{"rows": 3}', p_elapsed_seconds => 2.5) \gset

-- TEST: a step never begun is recorded in one call as SUCCESS with its output, attempt 1 ...
select is(s.status, 'SUCCESS', 'status is SUCCESS') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.output, '{"rows": 3}'::jsonb, 'the output is stored') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.error, null, 'no error') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.attempt, 1, 'attempt 1') from pgqrs_test.step(:'workflow_id', 'fetch') s;
-- TEST: ... at its position, under the token, by the lease owner ...
select is(s.position, 1, 'position 1') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.lease_token, :token::bigint, 'the row holds the token') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.owner, 'runner-a', 'owner is the lease owner') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.kind, null, 'an ordinary step, not a wait') from pgqrs_test.step(:'workflow_id', 'fetch') s;
-- TEST: ... finished now, started elapsed_seconds ago
select is(s.finished_at, :'t1'::timestamptz, 'finished_at is now') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.started_at, :'t1'::timestamptz - interval '2.5 seconds', 'started_at is now - 2.5 s')
  from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.attempt_started_at, :'t1'::timestamptz - interval '2.5 seconds', 'attempt_started_at is now - 2.5 s')
  from pgqrs_test.step(:'workflow_id', 'fetch') s;
-- TEST: without elapsed seconds the step started when it finished
select pgqrs.record_step(:'workflow_id', 'parse', :token, 2, '"parsed"') \gset
select is(s.started_at, :'t1'::timestamptz, 'default elapsed 0: started_at is now')
  from pgqrs_test.step(:'workflow_id', 'parse') s;
select is(s.position, 2, 'position 2') from pgqrs_test.step(:'workflow_id', 'parse') s;
-- TEST: a success records no failed attempt, and nothing else is written
select is((select count(*) from pgqrs.step_attempts a where a.workflow_id = :'workflow_id'), 0::bigint,
    'no step_attempts row');
select is(pgqrs_test.step_count(:'workflow_id'), 2::bigint, 'two step rows');

select * from finish();
rollback;
