begin;
select plan(4);

-- TEST: an input nested more than 256 levels deep raises PQ013: clients decode JSON
-- recursively, and no stored value may make them fail ...
select throws_ok(format('select pgqrs.create_workflow(%L, %L)', 'wf-deep', pgqrs_test.nested(257)),
    'PQ013', null, '257 levels: PQ013');
select throws_ok(format('select pgqrs.create_workflow(%L, %L)', 'wf-deep', jsonb_build_object('a', pgqrs_test.nested(300))),
    'PQ013', null, 'deep inside an object: PQ013');
-- TEST: ... and creates nothing
select is((select count(*) from pgqrs.workflows), 0::bigint, 'nothing created');
-- TEST: 256 levels are accepted
select workflow_id from pgqrs.create_workflow('wf-deep', pgqrs_test.nested(256)) \gset
select is(w.input, pgqrs_test.nested(256), '256 levels, stored') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
