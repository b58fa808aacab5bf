begin;
select plan(7);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: an infinite time, or one outside [1970-01-01, 9999-01-01) that clients cannot represent,
-- raises PQ008 ...
select throws_ok(format('select pgqrs.suspend_workflow(%L, %s, %L)', :'workflow_id', :token, t),
                 'PQ008', null, t || ': PQ008')
  from unnest(array['infinity', '-infinity', '1969-12-31 23:59:59.999999+00',
                    '9999-01-01 00:00:00+00']) t;
-- TEST: ... and writes nothing: the runner keeps its lease
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');
-- TEST: the last time in range is accepted
select lives_ok(format('select pgqrs.suspend_workflow(%L, %s, %L)', :'workflow_id', :token, '9998-12-31 23:59:59+00'),
    '9998-12-31 23:59:59 is accepted');
select is(w.available_at, '9998-12-31 23:59:59+00'::timestamptz, 'and stored') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
