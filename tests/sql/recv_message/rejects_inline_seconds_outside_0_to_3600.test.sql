begin;
select plan(6);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: an in-process wait longer than an hour (or negative, or NaN) raises PQ008 ...
select throws_ok(format('select pgqrs.recv_message(%L, %L, %s, 1, %L, 10, %L)',
                        :'workflow_id', 'recv', :token, 'orders', s),
                 'PQ008', null, s || ': PQ008')
  from unnest(array['-1', '3600.001', 'NaN', 'Infinity']) s;
-- TEST: ... and writes nothing
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');
-- TEST: an hour is accepted: a receive with an hour's timeout then waits in process
select is(r.status || ' ' || r.remaining, 'WAIT 3600', 'WAIT 3600')
  from pgqrs.recv_message(:'workflow_id', 'recv', :token, 1, 'orders', 3600, 3600) r;

select * from finish();
rollback;
