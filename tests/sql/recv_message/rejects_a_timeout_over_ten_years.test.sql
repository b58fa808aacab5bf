begin;
select plan(4);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: a timeout over ten years (315360000 seconds), or infinite, raises PQ008 ...
select throws_ok(format('select pgqrs.recv_message(%L, %L, %s, 1, %L, %L)',
                        :'workflow_id', 'recv', :token, 'orders', s),
                 'PQ008', null, s || ': PQ008')
  from unnest(array['315360000.5', 'Infinity']) s;
-- TEST: ... and writes nothing
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');
-- TEST: ten years is accepted, as the step's timeout
select status from pgqrs.recv_message(:'workflow_id', 'recv', :token, 1, 'orders', 315360000) \gset
select is(s.timeout_at, :'t0'::timestamptz + interval '315360000 seconds', 'ten years')
  from pgqrs_test.step(:'workflow_id', 'recv') s;

select * from finish();
rollback;
