begin;
select plan(5);

select workflow_id from pgqrs.submit_workflow('wf', '{"n": 1}',
    '{"idempotency_key": "order-9", "max_attempts": 3}') \gset
create temp table before as select * from pgqrs.workflows where id = :'workflow_id';

-- TEST: the same key again returns the workflow, created false, its options unchanged
select results_eq(
    $$select workflow_id, created, status from pgqrs.submit_workflow('wf', '{"n": 1}',
        '{"idempotency_key": "order-9", "max_attempts": 7}')$$,
    format($$values (%L::uuid, false, 'PENDING')$$, :'workflow_id'), 'by key: the same workflow');
select results_eq(
    format($$select workflow_id, created from pgqrs.submit_workflow('wf', '{"n": 1}', '{"id": "%s"}')$$, :'workflow_id'),
    format($$values (%L::uuid, false)$$, :'workflow_id'), 'by id: the same workflow');
select results_eq(format('select * from pgqrs.workflows where id = %L', :'workflow_id'),
    'select * from before', 'the row is unchanged');
-- TEST: a different input under the same key raises PQ006
select throws_ok($$select pgqrs.submit_workflow('wf', '{"n": 2}', '{"idempotency_key": "order-9"}')$$,
    'PQ006', null, 'PQ006');
select is((select count(*) from pgqrs.workflows where idempotency_key = 'order-9'), 1::bigint, 'one workflow');

select * from finish();
rollback;
