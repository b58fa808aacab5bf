begin;
select plan(4);

select * from pgqrs_test.running_workflow() \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1) \gset
select pgqrs.complete_step(:'workflow_id', 'fetch', :token, '{"rows": 3}') \gset
create temp table begun as select * from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1);

-- TEST: a SUCCESS step is not run again: SKIPPED with the stored output
select is(b.status, 'SKIPPED', 'status is SKIPPED') from begun b;
select is(b.value, '{"rows": 3}'::jsonb, 'the stored output') from begun b;
select is(b.attempt, 1, 'the attempt that succeeded') from begun b;
-- TEST: and the row is unchanged
select is(s.status, 'SUCCESS', 'still SUCCESS') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
