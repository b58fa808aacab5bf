begin;
select plan(3);

-- TEST: minutes NULL, 0 or over a day raise PQ008
select throws_ok($$select * from pgqrs.workflow_throughput(null)$$, 'PQ008', null, 'NULL');
select throws_ok($$select * from pgqrs.workflow_throughput(0)$$, 'PQ008', null, '0');
select throws_ok($$select * from pgqrs.workflow_throughput(1441)$$, 'PQ008', null, '1441');

select * from finish();
rollback;
