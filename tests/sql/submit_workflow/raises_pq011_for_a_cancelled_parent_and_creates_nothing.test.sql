begin;
select plan(4);

select pgqrs_test.new_workflow() as parent \gset
select pgqrs.cancel_workflow(:'parent') \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: a cancelled parent starts no child: PQ011 ...
select throws_ok(format('select pgqrs.submit_workflow(%L, %L, %L)', 'wf-child', '{}', jsonb_build_object('parent_id', :'parent')),
    'PQ011', null, 'queued child: PQ011');
select throws_ok(format('select pgqrs.submit_workflow(%L, %L, %L)', 'wf-child', '{}',
                        jsonb_build_object('parent_id', :'parent', 'queue', false)),
    'PQ011', null, 'child run by its caller: PQ011');
-- TEST: ... and nothing is created
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');
select is((select count(*) from pgqrs.workflows where name = 'wf-child'), 0::bigint, 'no child');

select * from finish();
rollback;
