begin;
select plan(2);

select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: a NULL workflow id raises PQ008, not PQ001 ...
select throws_ok(format($$select pgqrs.complete_workflow(null, %s, '"done"')$$, :token),
    'PQ008', null, 'NULL id: PQ008');
-- TEST: ... and writes nothing
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');

select * from finish();
rollback;
