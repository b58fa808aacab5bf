begin;
select plan(1);

-- TEST: an id that names no workflow raises PQ001
select throws_ok($$select pgqrs.begin_step('00000000-0000-0000-0000-000000000000', 'fetch', 1, 1)$$,
    'PQ001', null, 'PQ001');

select * from finish();
rollback;
