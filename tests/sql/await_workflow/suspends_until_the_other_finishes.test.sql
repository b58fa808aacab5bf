begin;
select plan(10);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select workflow_id as other_id, token as other_token from pgqrs_test.running_workflow('runner-b') \gset
create temp table awaited as
    select * from pgqrs.await_workflow(:'workflow_id', 'child', :token, 1, :'other_id');

-- TEST: awaiting a workflow that has not finished records the step WAITING, without a deadline
select is(s.status, 'WAITING', 'WAITING') from pgqrs_test.step(:'workflow_id', 'child') s;
select is(s.timeout_at, null, 'no timeout') from pgqrs_test.step(:'workflow_id', 'child') s;
-- TEST: and answers SUSPENDED
select results_eq('select status, outcome, remaining from awaited',
    $$values ('SUSPENDED'::text, null::jsonb, null::float8)$$, 'SUSPENDED');
-- TEST: the lease is given up (token + 1), the workflow is queued but available only when woken,
-- waiting for workflow:<id>
select is(w.lease_owner, null, 'no owner') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_token, :token::bigint + 1, 'token + 1') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.queued, true, 'queued') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.available_at, null, 'available_at NULL') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.waiting_for, 'workflow:' || :'other_id', 'waiting_for workflow:<id>') from pgqrs_test.workflow(:'workflow_id') w;
select is(d.waiting_for, 'workflow:' || :'other_id', 'describe_workflow shows it') from pgqrs.describe_workflow(:'workflow_id') d;
-- TEST: the awaited workflow is not touched
select is(w.lease_owner, 'runner-b', 'the other still runs') from pgqrs_test.workflow(:'other_id') w;

select * from finish();
rollback;
