begin;
select plan(1);

-- TEST: an id that names no workflow raises PQ001
select throws_ok(
    $$select pgqrs.complete_workflow('0190f3a4-0000-7000-8000-00000000dead', 1, '"done"')$$,
    'PQ001', null, 'unknown id: PQ001');

select * from finish();
rollback;
