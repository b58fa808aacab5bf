begin;
select plan(2);

select pgqrs_test.set_clock() as t0 \gset
select workflow_id from pgqrs.create_workflow('wf') \gset

-- TEST: created_at and updated_at come from pgqrs.now()
select is(w.created_at, :'t0'::timestamptz, 'created_at is pgqrs.now()')
  from pgqrs_test.workflow(:'workflow_id') w;
select is(w.updated_at, :'t0'::timestamptz, 'updated_at is pgqrs.now()')
  from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
