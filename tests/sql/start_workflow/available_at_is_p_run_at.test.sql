begin;
select plan(2);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.queued_workflow(p_run_at => :'t0'::timestamptz + interval '10 minutes') as later \gset
select pgqrs_test.queued_workflow(p_run_at => :'t0'::timestamptz - interval '10 minutes') as earlier \gset

-- TEST: p_run_at sets when workers may claim the workflow, in the future or in the past
select is(w.available_at, :'t0'::timestamptz + interval '10 minutes', 'a future p_run_at')
  from pgqrs_test.workflow(:'later') w;
select is(w.available_at, :'t0'::timestamptz - interval '10 minutes', 'a past p_run_at')
  from pgqrs_test.workflow(:'earlier') w;

select * from finish();
rollback;
