begin;
select plan(3);

-- TEST: an input nested more than 256 levels deep raises PQ013 ...
select throws_ok(format('select pgqrs.start_workflow(%L, %L)', 'wf-deep', pgqrs_test.nested(257)),
    'PQ013', null, '257 levels: PQ013');
-- TEST: ... and creates nothing
select is((select count(*) from pgqrs.workflows), 0::bigint, 'nothing created');
-- TEST: 256 levels are accepted
select workflow_id from pgqrs.start_workflow('wf-deep', pgqrs_test.nested(256)) \gset
select is(w.input, pgqrs_test.nested(256), '256 levels, stored') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
