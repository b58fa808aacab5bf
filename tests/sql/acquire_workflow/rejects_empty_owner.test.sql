begin;
select plan(4);

select pgqrs_test.new_workflow() as workflow_id \gset

-- TEST: the owner must be a non-blank string of at most 255 characters
select throws_ok(format('select * from pgqrs.acquire_workflow(%L, %L)', :'workflow_id', ''),
    'PQ008', null, 'empty owner: PQ008');
select throws_ok(format('select * from pgqrs.acquire_workflow(%L, %L)', :'workflow_id', '   '),
    'PQ008', null, 'blank owner: PQ008');
select throws_ok(format('select * from pgqrs.acquire_workflow(%L, null)', :'workflow_id'),
    'PQ008', null, 'null owner: PQ008');
select throws_ok(format('select * from pgqrs.acquire_workflow(%L, %L)', :'workflow_id', repeat('o', 256)),
    'PQ008', null, '256-character owner: PQ008');

select * from finish();
rollback;
