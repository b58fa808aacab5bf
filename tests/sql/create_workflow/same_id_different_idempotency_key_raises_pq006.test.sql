begin;
select plan(1);

select workflow_id
  from pgqrs.create_workflow('wf', '{}', '0190f3a4-0000-7000-8000-000000000001', 'order-42') \gset

-- TEST: reusing an id with another idempotency key is an idempotency conflict
select throws_ok(
    $$select pgqrs.create_workflow('wf', '{}', '0190f3a4-0000-7000-8000-000000000001', 'order-43')$$,
    'PQ006', null, 'same id, different key: PQ006');

select * from finish();
rollback;
