begin;
select plan(3);

select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: an output nested more than 256 levels deep raises PQ013 ...
select throws_ok(format('select pgqrs.complete_workflow(%L, %s, %L)', :'workflow_id', :token, pgqrs_test.nested(257)),
    'PQ013', null, '257 levels: PQ013');
-- TEST: ... and writes nothing: the workflow is still RUNNING under its lease
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');
-- TEST: 256 levels are accepted
select pgqrs.complete_workflow(:'workflow_id', :token, pgqrs_test.nested(256)) \gset
select is(w.output, pgqrs_test.nested(256), '256 levels, stored') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
