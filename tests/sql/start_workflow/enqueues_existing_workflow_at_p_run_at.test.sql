begin;
select plan(1);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.new_workflow('wf', '{}') as wf \gset
select * from pgqrs.start_workflow('wf', '{}', p_id => :'wf', p_run_at => :'t0'::timestamptz + interval '5 minutes') \gset

-- TEST: an existing workflow is enqueued for p_run_at when one is given
select is(w.available_at, :'t0'::timestamptz + interval '5 minutes', 'available_at is p_run_at')
  from pgqrs_test.workflow(:'wf') w;

select * from finish();
rollback;
