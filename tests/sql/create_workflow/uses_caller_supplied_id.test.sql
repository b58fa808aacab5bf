begin;
select plan(3);

select * from pgqrs.create_workflow('wf', '{}', p_id => '0190f3a4-0000-7000-8000-000000000001') \gset

-- TEST: the workflow is stored under the id the caller gave
select is(:'workflow_id'::uuid, '0190f3a4-0000-7000-8000-000000000001'::uuid, 'returns the given id');
select ok(:'created'::boolean, 'created is true');
select is(w.name, 'wf', 'the row has that id')
  from pgqrs_test.workflow('0190f3a4-0000-7000-8000-000000000001') w;

select * from finish();
rollback;
