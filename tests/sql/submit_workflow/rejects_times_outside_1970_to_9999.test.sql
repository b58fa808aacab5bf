begin;
select plan(9);

select pgqrs_test.set_clock() \gset

-- TEST: a run_at or a deadline outside [1970-01-01, 9999-01-01), or infinite, raises PQ008 ...
select throws_ok(format('select pgqrs.submit_workflow(%L, %L, %L)', 'wf-times', '{}',
                        jsonb_build_object(o, t)),
                 'PQ008', null, o || ' ' || t || ': PQ008')
  from unnest(array['run_at', 'deadline']) o,
       unnest(array['infinity', '-infinity', '9999-01-01T00:00:00+00']) t;
select throws_ok($$select pgqrs.submit_workflow('wf-times', '{}', '{"run_at": "1969-12-31T23:59:59+00"}')$$,
    'PQ008', null, 'run_at 1969: PQ008');
-- TEST: ... and creates nothing
select is((select count(*) from pgqrs.workflows where name = 'wf-times'), 0::bigint, 'nothing created');
-- TEST: the last time in range is accepted for both
select workflow_id from pgqrs.submit_workflow('wf-times', '{}',
    '{"run_at": "9998-12-31T23:59:59+00", "deadline": "9998-12-31T23:59:59+00"}') \gset
select is(array[w.available_at, w.deadline_at], array['9998-12-31 23:59:59+00', '9998-12-31 23:59:59+00']::timestamptz[],
          'run_at and deadline 9998-12-31 23:59:59')
  from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
