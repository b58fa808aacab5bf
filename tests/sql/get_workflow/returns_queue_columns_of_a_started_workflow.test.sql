begin;
select plan(4);

select pgqrs_test.set_clock() as t0 \gset
select workflow_id from pgqrs.start_workflow('wf', p_run_at => :'t0'::timestamptz + interval '1 hour',
                                             p_max_recoveries => 2) \gset

-- TEST: get_workflow shows a started workflow's queue columns
select is(g.queued, true, 'queued') from pgqrs.get_workflow(:'workflow_id') g;
select is(g.available_at, :'t0'::timestamptz + interval '1 hour', 'available_at is p_run_at')
  from pgqrs.get_workflow(:'workflow_id') g;
select is(g.recoveries, 0, 'no recoveries') from pgqrs.get_workflow(:'workflow_id') g;
select is(g.max_recoveries, 2, 'max_recoveries as given') from pgqrs.get_workflow(:'workflow_id') g;

select * from finish();
rollback;
