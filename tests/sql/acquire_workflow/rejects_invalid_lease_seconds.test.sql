begin;
select plan(7);

select pgqrs_test.new_workflow() as workflow_id \gset

-- TEST: lease seconds must be greater than 0 and at most 86400
select throws_ok(format('select * from pgqrs.acquire_workflow(%L, %L, 0)', :'workflow_id', 'runner-a'),
    'PQ008', null, '0 seconds: PQ008');
select throws_ok(format('select * from pgqrs.acquire_workflow(%L, %L, -5)', :'workflow_id', 'runner-a'),
    'PQ008', null, 'negative: PQ008');
select throws_ok(format('select * from pgqrs.acquire_workflow(%L, %L, 86400.5)', :'workflow_id', 'runner-a'),
    'PQ008', null, 'over a day: PQ008');
select throws_ok(format('select * from pgqrs.acquire_workflow(%L, %L, null)', :'workflow_id', 'runner-a'),
    'PQ008', null, 'null: PQ008');
select throws_ok(format('select * from pgqrs.acquire_workflow(%L, %L, %L)', :'workflow_id', 'runner-a', 'NaN'),
    'PQ008', null, 'NaN: PQ008');
select throws_ok(format('select * from pgqrs.acquire_workflow(%L, %L, %L)', :'workflow_id', 'runner-a', 'Infinity'),
    'PQ008', null, 'Infinity: PQ008');
select lives_ok(format('select * from pgqrs.acquire_workflow(%L, %L, 86400)', :'workflow_id', 'runner-a'),
    'exactly one day is accepted');

select * from finish();
rollback;
