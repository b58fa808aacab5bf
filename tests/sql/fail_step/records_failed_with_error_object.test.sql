begin;
select plan(4);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.acquire_step(:'workflow_id', 'parse', :token) \gset
select pgqrs.fail_step(:'workflow_id', 'parse', :token,
    '{"type": "ValueError", "message": "bad row", "traceback": "line 1"}') \gset

-- TEST: the step is recorded as FAILED with the error object as given
select is(s.status, 'FAILED', 'status is FAILED') from pgqrs_test.step(:'workflow_id', 'parse') s;
select is(s.error, '{"type": "ValueError", "message": "bad row", "traceback": "line 1"}'::jsonb,
    'the error is stored as given') from pgqrs_test.step(:'workflow_id', 'parse') s;
select is(s.output, null, 'no output') from pgqrs_test.step(:'workflow_id', 'parse') s;
select is(s.finished_at, :'t0'::timestamptz, 'finished_at is now') from pgqrs_test.step(:'workflow_id', 'parse') s;

select * from finish();
rollback;
