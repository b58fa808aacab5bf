begin;
select plan(4);

select * from pgqrs_test.running_workflow() \gset
select status as first_status from pgqrs.acquire_step(:'workflow_id', 'fetch', :token) \gset
select pgqrs.complete_step(:'workflow_id', 'fetch', :token, '{"rows": 3}') \gset
create temp table acquired as select * from pgqrs.acquire_step(:'workflow_id', 'fetch', :token);

-- TEST: a SUCCESS step is not run again: SKIPPED with its stored output
select is(a.status, 'SKIPPED', 'status is SKIPPED') from acquired a;
select is(a.value, '{"rows": 3}'::jsonb, 'value is the stored output') from acquired a;
select is(a.attempt, 1, 'attempt is the attempt that succeeded') from acquired a;
select is(s.status, 'SUCCESS', 'the row is still SUCCESS') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
