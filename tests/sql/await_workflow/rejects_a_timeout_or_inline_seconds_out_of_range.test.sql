begin;
select plan(8);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.new_workflow() as other \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: a timeout outside [0, 315360000] seconds (ten years), or NaN, raises PQ008 ...
select throws_ok(format('select pgqrs.await_workflow(%L, %L, %s, 1, %L, %L)',
                        :'workflow_id', 'child', :token, :'other', s),
                 'PQ008', null, 'timeout ' || s || ': PQ008')
  from unnest(array['-1', '315360000.5', 'NaN']) s;
-- TEST: ... and so does an in-process wait outside [0, 3600] seconds ...
select throws_ok(format('select pgqrs.await_workflow(%L, %L, %s, 1, %L, 10, %L)',
                        :'workflow_id', 'child', :token, :'other', s),
                 'PQ008', null, 'inline ' || s || ': PQ008')
  from unnest(array['-1', '3600.001', 'NaN']) s;
-- TEST: ... and neither writes anything
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');
-- TEST: an hour's timeout with an hour in process is accepted: it waits in process
select is(a.status || ' ' || a.remaining, 'WAIT 3600', 'WAIT 3600')
  from pgqrs.await_workflow(:'workflow_id', 'child', :token, 1, :'other', 3600, 3600) a;

select * from finish();
rollback;
