begin;
select plan(6);

-- TEST: the list of workflow names must not be NULL ...
select throws_ok($$select pgqrs.register_worker('worker-a', null)$$, 'PQ008', null, 'NULL list: PQ008');
-- TEST: ... and each name must be a valid workflow name
select throws_ok($$select pgqrs.register_worker('worker-a', array['wf', ''])$$,
    'PQ008', null, 'an empty name: PQ008');
select throws_ok($$select pgqrs.register_worker('worker-a', array['wf', '  '])$$,
    'PQ008', null, 'a blank name: PQ008');
select throws_ok($$select pgqrs.register_worker('worker-a', array['wf', null])$$,
    'PQ008', null, 'a NULL name: PQ008');
select throws_ok(format('select pgqrs.register_worker(%L, array[%L])', 'worker-a', repeat('n', 256)),
    'PQ008', null, 'a name of 256 characters: PQ008');
select is((select count(*) from pgqrs.workers), 0::bigint, 'no worker was recorded');

select * from finish();
rollback;
