begin;
select plan(5);

-- TEST: the worker name must be 1 to 255 characters and not blank
select throws_ok($$select pgqrs.register_worker(null, array['wf'])$$, 'PQ008', null, 'NULL: PQ008');
select throws_ok($$select pgqrs.register_worker('', array['wf'])$$, 'PQ008', null, 'empty: PQ008');
select throws_ok($$select pgqrs.register_worker(E' \n', array['wf'])$$, 'PQ008', null, 'blank: PQ008');
select throws_ok(format('select pgqrs.register_worker(%L, array[%L])', repeat('w', 256), 'wf'),
    'PQ008', null, '256 characters: PQ008');
select is((select count(*) from pgqrs.workers), 0::bigint, 'no worker was recorded');

select * from finish();
rollback;
