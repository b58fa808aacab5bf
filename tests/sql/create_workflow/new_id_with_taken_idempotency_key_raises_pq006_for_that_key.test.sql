begin;
select plan(3);

select workflow_id as first_id
  from pgqrs.create_workflow('wf', '{}', p_idempotency_key => 'order-42') \gset
create temp table caught as select * from pgqrs_test.error_of($$
    select pgqrs.create_workflow('wf', '{}', '0190f3a4-0000-7000-8000-000000000001', 'order-42')
$$);

-- TEST: a new id with a key that already names another workflow is an idempotency conflict
select is(code, 'PQ006', 'raises PQ006') from caught;
-- TEST: the error says why (the key belongs to another id) and carries the hint, like every
-- other PQ006; it must not fall through to "could not create workflow after repeated conflicts"
select is(
    message,
    format('pgqrs: workflow %s already exists with a different id for that key', :'first_id'),
    'the message names the workflow that holds the key')
  from caught;
select is(
    hint,
    'An id or idempotency key names one workflow; reuse it only for the same call.',
    'the error carries the idempotency hint')
  from caught;

select * from finish();
rollback;
