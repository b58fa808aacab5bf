begin;
select plan(7);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: a wake time outside [1970-01-01, 9999-01-01), or infinite, raises PQ008 ...
select throws_ok(format('select pgqrs.sleep_step(%L, %L, %s, 1, p_until => %L)', :'workflow_id', 'nap', :token, t),
                 'PQ008', null, t || ': PQ008')
  from unnest(array['-infinity', '1969-12-31 23:59:59.999999+00', '9999-01-01 00:00:00+00']) t;
-- TEST: ... and writes nothing
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');
-- TEST: the first time in range is accepted: long past, so the sleep is done at once
select is(s.status, 'DONE', '1970-01-01: DONE')
  from pgqrs.sleep_step(:'workflow_id', 'nap', :token, 1, p_until => '1970-01-01 00:00:00+00') s;
-- TEST: and so is the last one, recorded as the wake time
select is(s.wake_at, '9998-12-31 23:59:59+00'::timestamptz, '9998-12-31 23:59:59: the wake time')
  from pgqrs.sleep_step(:'workflow_id', 'nap-long', :token, 2, p_until => '9998-12-31 23:59:59+00') s;
select is(s.timeout_at, '9998-12-31 23:59:59+00'::timestamptz, 'recorded on the step')
  from pgqrs_test.step(:'workflow_id', 'nap-long') s;

select * from finish();
rollback;
