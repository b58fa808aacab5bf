begin;
select plan(1);

select * from pgqrs_test.running_workflow() \gset
select pgqrs.complete_step(:'workflow_id', 'fetch', :token, '{"rows": 3}') \gset
select status from pgqrs.begin_step(:'workflow_id', 'parse', :token, 2) \gset

-- TEST: after a write in the same transaction (here an outcome) begin_step does not turn
-- synchronous_commit off, so the outcome still commits durably
select is(current_setting('synchronous_commit'), 'on', 'synchronous_commit stays on');

select * from finish();
rollback;
