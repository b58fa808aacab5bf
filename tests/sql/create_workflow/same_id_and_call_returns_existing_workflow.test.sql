begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select workflow_id as first_id
  from pgqrs.create_workflow('wf', '{"n": 1}', '0190f3a4-0000-7000-8000-000000000001') \gset
select pgqrs_test.advance_clock('1 minute') \gset
select * from pgqrs.create_workflow('wf', '{"n": 1}', '0190f3a4-0000-7000-8000-000000000001') \gset

-- TEST: repeating the call with the same id returns the same workflow, not a new one
select is(:'workflow_id'::uuid, :'first_id'::uuid, 'same id');
select ok(not :'created'::boolean, 'created is false');
select is(w.created_at, '2030-01-01 00:00:00+00'::timestamptz, 'the row was not rewritten')
  from pgqrs_test.workflow(:'first_id') w;

select * from finish();
rollback;
