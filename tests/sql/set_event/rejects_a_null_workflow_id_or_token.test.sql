begin;
select plan(3);

select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: a NULL workflow id raises PQ008, not PQ001 ...
select throws_ok(format($$select pgqrs.set_event(null, 'publish', %s, 1, 'status', '1')$$, :token),
    'PQ008', null, 'NULL id: PQ008');
-- TEST: ... a NULL token PQ008, not PQ003 ...
select throws_ok(format($$select pgqrs.set_event(%L, 'publish', null, 1, 'status', '1')$$, :'workflow_id'),
    'PQ008', null, 'NULL token: PQ008');
-- TEST: ... and neither writes anything
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');

select * from finish();
rollback;
