begin;
select plan(7);

select pgqrs_test.set_clock() \gset

-- TEST: a run_at outside [1970-01-01, 9999-01-01), or infinite, raises PQ008 ...
select throws_ok(format('select pgqrs.start_workflow(%L, p_run_at => %L)', 'wf-run-at', t),
                 'PQ008', null, t || ': PQ008')
  from unnest(array['infinity', '-infinity', '1969-12-31 23:59:59.999999+00',
                    '9999-01-01 00:00:00+00']) t;
-- TEST: ... and creates nothing
select is((select count(*) from pgqrs.workflows where name = 'wf-run-at'), 0::bigint, 'nothing created');
-- TEST: the bounds of the range are accepted
select workflow_id as first from pgqrs.start_workflow('wf-run-at', '1', p_run_at => '1970-01-01 00:00:00+00') \gset
select workflow_id as last from pgqrs.start_workflow('wf-run-at', '2', p_run_at => '9998-12-31 23:59:59+00') \gset
select is(w.available_at, '1970-01-01 00:00:00+00'::timestamptz, '1970-01-01') from pgqrs_test.workflow(:'first') w;
select is(w.available_at, '9998-12-31 23:59:59+00'::timestamptz, '9998-12-31 23:59:59') from pgqrs_test.workflow(:'last') w;

select * from finish();
rollback;
