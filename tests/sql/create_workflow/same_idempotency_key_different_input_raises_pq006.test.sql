begin;
select plan(2);

select workflow_id from pgqrs.create_workflow('wf', '{"n": 1}', p_idempotency_key => 'order-42') \gset

-- TEST: reusing a key with a different input is an idempotency conflict
select throws_ok(
    $$select pgqrs.create_workflow('wf', '{"n": 2}', p_idempotency_key => 'order-42')$$,
    'PQ006', null, 'same key, different input: PQ006');
select is(w.input, '{"n": 1}'::jsonb, 'the stored input is unchanged')
  from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
