begin;
select plan(5);

-- TEST: a NULL, zero, negative, infinite or NaN window raises PQ008 (0.1.0 answered NULL)
select throws_ok('select * from pgqrs.list_workers(null)', 'PQ008', null, 'NULL');
select throws_ok('select * from pgqrs.list_workers(0)', 'PQ008', null, 'zero');
select throws_ok('select * from pgqrs.list_workers(-1)', 'PQ008', null, 'negative');
select throws_ok($$select * from pgqrs.list_workers('Infinity')$$, 'PQ008', null, 'infinite');
select throws_ok($$select * from pgqrs.list_workers('NaN')$$, 'PQ008', null, 'NaN');

select * from finish();
rollback;
