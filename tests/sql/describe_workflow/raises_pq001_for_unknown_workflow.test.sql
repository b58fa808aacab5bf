begin;
select plan(1);

-- TEST: an id that names no workflow raises PQ001
select throws_ok($$select * from pgqrs.describe_workflow('00000000-0000-0000-0000-000000000000')$$,
    'PQ001', null, 'PQ001');

select * from finish();
rollback;
