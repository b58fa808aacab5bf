begin;
select plan(2);

select pgqrs_test.queued_workflow() as workflow_id \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: a NULL worker name raises PQ008, not PQ009 ...
select throws_ok('select * from pgqrs.claim_workflows(null)', 'PQ008', null, 'NULL worker: PQ008');
-- TEST: ... and claims nothing
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');

select * from finish();
rollback;
