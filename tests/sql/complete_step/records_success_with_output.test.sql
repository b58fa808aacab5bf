begin;
select plan(5);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.acquire_step(:'workflow_id', 'fetch', :token) \gset
select pgqrs_test.advance_clock('5 seconds') as t1 \gset
select pgqrs.complete_step(:'workflow_id', 'fetch', :token, '{"rows": 3}') \gset

-- TEST: the step is recorded as SUCCESS with its output
select is(s.status, 'SUCCESS', 'status is SUCCESS') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.output, '{"rows": 3}'::jsonb, 'the output is stored') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.error, null, 'no error') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.started_at, :'t0'::timestamptz, 'started_at is kept') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.finished_at, :'t1'::timestamptz, 'finished_at is now') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
