begin;
select plan(2);

-- TEST: an id that names no workflow raises PQ001 and records nothing
select throws_ok(
    $$select pgqrs.record_step('0190f3a4-0000-7000-8000-00000000dead', 'fetch', 1, 1, '1')$$,
    'PQ001', null, 'unknown id: PQ001');
select is(pgqrs_test.step_count('0190f3a4-0000-7000-8000-00000000dead'), 0::bigint, 'no step row');

select * from finish();
rollback;
