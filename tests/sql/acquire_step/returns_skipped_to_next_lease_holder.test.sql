begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.succeeded_step(:'workflow_id', :token, 'fetch', '{"rows": 3}') \gset
select pgqrs_test.takeover(:'workflow_id') as new_token \gset
create temp table acquired as select * from pgqrs.acquire_step(:'workflow_id', 'fetch', :new_token);

-- TEST: a runner that took over replays the step done by its predecessor
select is(a.status, 'SKIPPED', 'status is SKIPPED') from acquired a;
select is(a.value, '{"rows": 3}'::jsonb, 'value is the stored output') from acquired a;

select * from finish();
rollback;
