begin;
select plan(6);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: an in-process wait longer than an hour (or negative, or NaN) raises PQ008: longer waits
-- suspend the workflow instead of holding a worker ...
select throws_ok(format('select pgqrs.sleep_step(%L, %L, %s, 1, p_seconds => 10, p_inline_seconds => %L)',
                        :'workflow_id', 'nap', :token, s),
                 'PQ008', null, s || ': PQ008')
  from unnest(array['-1', '3600.001', 'NaN', 'Infinity']) s;
-- TEST: ... and writes nothing
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');
-- TEST: an hour is accepted: a sleep of an hour then waits in process
select is(s.status || ' ' || s.remaining, 'WAIT 3600', 'WAIT 3600')
  from pgqrs.sleep_step(:'workflow_id', 'nap', :token, 1, p_seconds => 3600, p_inline_seconds => 3600) s;

select * from finish();
rollback;
