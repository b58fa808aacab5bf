begin;
select plan(1);

-- TEST: an id that names no workflow raises PQ001
select throws_ok($$select pgqrs.revive_workflow('0190f3a4-0000-7000-8000-00000000dead')$$,
    'PQ001', null, 'unknown id: PQ001');

select * from finish();
rollback;
