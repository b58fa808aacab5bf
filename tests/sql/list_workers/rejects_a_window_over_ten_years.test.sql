begin;
select plan(3);

-- TEST: a staleness window over ten years (315360000 seconds) raises PQ008, not a raw 22008
-- (interval out of range)
select throws_ok('select * from pgqrs.list_workers(315360000.5)', 'PQ008', null, '315360000.5: PQ008');
select throws_ok('select * from pgqrs.list_workers(1e300)', 'PQ008', null, '1e300: PQ008');
-- TEST: ten years is accepted
select lives_ok('select * from pgqrs.list_workers(315360000)', '315360000 is accepted');

select * from finish();
rollback;
