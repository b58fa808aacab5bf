begin;
select plan(4);

-- TEST: the limit must be between 1 and 10000
select throws_ok('select * from pgqrs.list_workflows(p_limit => 0)', 'PQ008', null, '0: PQ008');
select throws_ok('select * from pgqrs.list_workflows(p_limit => 10001)', 'PQ008', null, '10001: PQ008');
select throws_ok('select * from pgqrs.list_workflows(p_limit => null)', 'PQ008', null, 'NULL: PQ008');
select lives_ok('select * from pgqrs.list_workflows(p_limit => 1)', '1 is accepted');

select * from finish();
rollback;
