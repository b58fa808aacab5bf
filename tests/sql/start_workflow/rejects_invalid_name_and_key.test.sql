begin;
select plan(6);

-- TEST: the name is checked as in create_workflow: NULL, empty, blank or over 255 characters
select throws_ok('select * from pgqrs.start_workflow(null)', 'PQ008', null, 'NULL name: PQ008');
select throws_ok($$select * from pgqrs.start_workflow('')$$, 'PQ008', null, 'empty name: PQ008');
select throws_ok($$select * from pgqrs.start_workflow(E' \t')$$, 'PQ008', null, 'blank name: PQ008');
select throws_ok(format('select * from pgqrs.start_workflow(%L)', repeat('n', 256)),
    'PQ008', null, '256 characters: PQ008');
-- TEST: and so is the idempotency key
select throws_ok($$select * from pgqrs.start_workflow('wf', p_idempotency_key => ' ')$$,
    'PQ008', null, 'blank key: PQ008');
select is((select count(*) from pgqrs.workflows), 0::bigint, 'nothing was stored');

select * from finish();
rollback;
