begin;
select plan(2);

-- TEST: reading an event of a workflow that does not exist raises PQ001
select throws_ok($$select * from pgqrs.get_event('00000000-0000-0000-0000-000000000000', 'status')$$,
    'PQ001', null, 'PQ001');
-- TEST: a blank key raises PQ008
select throws_ok(format($$select * from pgqrs.get_event(%L, '')$$, pgqrs_test.new_workflow()),
    'PQ008', null, 'blank key: PQ008');

select * from finish();
rollback;
