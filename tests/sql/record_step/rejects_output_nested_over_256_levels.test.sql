begin;
select plan(3);

select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: an output nested more than 256 levels deep raises PQ013 ...
select throws_ok(format('select pgqrs.record_step(%L, %L, %s, 1, %L)', :'workflow_id', 'fetch', :token, pgqrs_test.nested(257)),
    'PQ013', null, '257 levels: PQ013');
-- TEST: ... and writes nothing
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');
-- TEST: 256 levels are accepted
select pgqrs.record_step(:'workflow_id', 'fetch', :token, 1, pgqrs_test.nested(256)) \gset
select is(s.output, pgqrs_test.nested(256), '256 levels, stored') from pgqrs_test.step(:'workflow_id', 'fetch') s;

select * from finish();
rollback;
