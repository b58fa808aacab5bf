begin;
select plan(8);

select pgqrs_test.set_clock() \gset
select workflow_id from pgqrs.create_workflow('wf', '{"n": 1}', p_idempotency_key => 'order-42') \gset
select token from pgqrs.acquire_workflow(:'workflow_id', 'runner-a') \gset

-- TEST: get_workflow returns the workflow's row, minus internals
select results_eq(
    format('select * from pgqrs.get_workflow(%L)', :'workflow_id'),
    format($$select id, name, status, idempotency_key, input, output, error, lease_owner, lease_token,
                    lease_expires_at, created_at, updated_at, started_at, finished_at,
                    queued, available_at, recoveries, max_recoveries
               from pgqrs.workflows where id = %L$$, :'workflow_id'),
    'the same values as the table');
select is(g.status, 'RUNNING', 'status') from pgqrs.get_workflow(:'workflow_id') g;
select is(g.idempotency_key, 'order-42', 'idempotency key') from pgqrs.get_workflow(:'workflow_id') g;
select is(g.lease_owner, 'runner-a', 'lease owner') from pgqrs.get_workflow(:'workflow_id') g;
-- TEST: and the worker columns: not queued (create_workflow), no recovery yet, the default budget
select is(g.queued, false, 'not queued') from pgqrs.get_workflow(:'workflow_id') g;
select is(g.available_at, null, 'no available_at') from pgqrs.get_workflow(:'workflow_id') g;
select is(g.recoveries, 0, 'no recoveries') from pgqrs.get_workflow(:'workflow_id') g;
select is(g.max_recoveries, 5, 'max_recoveries 5') from pgqrs.get_workflow(:'workflow_id') g;

select * from finish();
rollback;
