begin;
select plan(3);

-- TEST: a parent_id naming no workflow raises PQ001 and creates nothing
select throws_ok($$select * from pgqrs.submit_workflow('wf-orphan', '{}',
                     '{"parent_id": "00000000-0000-0000-0000-000000000000"}')$$,
    'PQ001', null, 'PQ001');
select is((select count(*) from pgqrs.workflows where name = 'wf-orphan'), 0::bigint, 'no workflow');
-- TEST: a parent_id that is not a uuid raises PQ008
select throws_ok($$select * from pgqrs.submit_workflow('wf-orphan', '{}', '{"parent_id": "nope"}')$$,
    'PQ008', null, 'not a uuid: PQ008');

select * from finish();
rollback;
