begin;
select plan(3);

select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: a value nested more than 256 levels deep raises PQ013 ...
select throws_ok(format('select pgqrs.set_event(%L, %L, %s, 1, %L, %L)', :'workflow_id', 'publish', :token, 'status', pgqrs_test.nested(257)),
    'PQ013', null, '257 levels: PQ013');
-- TEST: ... and writes nothing: no step, no event
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');
-- TEST: 256 levels are accepted
select pgqrs.set_event(:'workflow_id', 'publish', :token, 1, 'status', pgqrs_test.nested(256)) \gset
select is(e.value, pgqrs_test.nested(256), '256 levels, published') from pgqrs.get_event(:'workflow_id', 'status') e;

select * from finish();
rollback;
