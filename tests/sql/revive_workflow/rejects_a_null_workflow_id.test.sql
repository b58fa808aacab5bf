begin;
select plan(2);

select pgqrs_test.new_workflow() as workflow_id \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: a NULL workflow id raises PQ008, not PQ001 ...
select throws_ok('select pgqrs.revive_workflow(null)', 'PQ008', null, 'NULL id: PQ008');
-- TEST: ... and writes nothing
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');

select * from finish();
rollback;
