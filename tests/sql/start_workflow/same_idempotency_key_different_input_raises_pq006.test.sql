begin;
select plan(3);

select workflow_id from pgqrs.start_workflow('wf', '{"n": 1}', p_idempotency_key => 'order-42') \gset
select workflow_id as created_id from pgqrs.create_workflow('wf', '{"n": 9}', p_idempotency_key => 'k2') \gset

-- TEST: the same key with another input or name raises PQ006
select throws_ok($$select * from pgqrs.start_workflow('wf', '{"n": 2}', p_idempotency_key => 'order-42')$$,
    'PQ006', null, 'another input: PQ006');
select throws_ok($$select * from pgqrs.start_workflow('other', '{"n": 1}', p_idempotency_key => 'order-42')$$,
    'PQ006', null, 'another name: PQ006');
-- TEST: and also when create_workflow used the key
select throws_ok($$select * from pgqrs.start_workflow('wf', '{"n": 1}', p_idempotency_key => 'k2')$$,
    'PQ006', null, 'a key of create_workflow with another input: PQ006');

select * from finish();
rollback;
