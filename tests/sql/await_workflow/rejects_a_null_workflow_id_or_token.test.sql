begin;
select plan(4);

select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.new_workflow() as other \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: a NULL id of the awaiting workflow raises PQ008, not PQ001 ...
select throws_ok(format('select pgqrs.await_workflow(null, %L, %s, 1, %L)', 'child', :token, :'other'),
    'PQ008', null, 'NULL id: PQ008');
-- TEST: ... a NULL token PQ008, not PQ003 ...
select throws_ok(format('select pgqrs.await_workflow(%L, %L, null, 1, %L)', :'workflow_id', 'child', :'other'),
    'PQ008', null, 'NULL token: PQ008');
-- TEST: ... and so does a NULL id of the workflow to await
select throws_ok(format('select pgqrs.await_workflow(%L, %L, %s, 1, null)', :'workflow_id', 'child', :token),
    'PQ008', null, 'NULL other id: PQ008');
-- TEST: neither writes anything
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');

select * from finish();
rollback;
