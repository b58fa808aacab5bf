begin;
select plan(3);

-- TEST: a NULL, blank or oversized queue name raises PQ008
select throws_ok($$select pgqrs.delete_queue(null)$$, 'PQ008', null, 'NULL');
select throws_ok($$select pgqrs.delete_queue(' ')$$, 'PQ008', null, 'blank');
select throws_ok(format('select pgqrs.delete_queue(%L)', repeat('q', 256)), 'PQ008', null, 'too long');

select * from finish();
rollback;
