begin;
select plan(3);

select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: a workflow awaiting itself would suspend forever: PQ008 ...
select throws_ok(format('select pgqrs.await_workflow(%L, %L, %s, 1, %L)', :'workflow_id', 'self', :token, :'workflow_id'),
    'PQ008', null, 'await itself: PQ008');
-- TEST: ... and nothing is written: no step, the lease is kept
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');
select is(w.lease_owner, 'runner-a', 'the runner keeps its lease') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
