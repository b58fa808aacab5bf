begin;
select plan(2);

select workflow_id from pgqrs.create_workflow('wf', '{"n": 1}', '0190f3a4-0000-7000-8000-000000000001') \gset

-- TEST: reusing an id with a different input is an idempotency conflict
select throws_ok(
    $$select pgqrs.create_workflow('wf', '{"n": 2}', '0190f3a4-0000-7000-8000-000000000001')$$,
    'PQ006', null, 'same id, different input: PQ006');
select is(w.input, '{"n": 1}'::jsonb, 'the stored input is unchanged')
  from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
