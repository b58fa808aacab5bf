begin;
select plan(4);

select workflow_id as first_id
  from pgqrs.create_workflow('wf', '{"n": 1}', p_idempotency_key => 'order-42') \gset
select token from pgqrs.acquire_workflow(:'first_id', 'runner-a') \gset
select * from pgqrs.create_workflow('wf', '{"n": 1}', p_idempotency_key => 'order-42') \gset

-- TEST: the same key, name and input return the existing workflow with its current status
select is(:'workflow_id'::uuid, :'first_id'::uuid, 'same id');
select ok(not :'created'::boolean, 'created is false');
select is(:'status'::text, 'RUNNING', 'status is the workflow''s current status');
select is(
    (select count(*) from pgqrs.workflows where idempotency_key = 'order-42'), 1::bigint,
    'one row holds the key');

select * from finish();
rollback;
