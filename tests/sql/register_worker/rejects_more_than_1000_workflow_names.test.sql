begin;
select plan(4);

-- TEST: a worker serves at most 1000 workflow names: 1001 raise PQ008 ...
select throws_ok(format('select pgqrs.register_worker(%L, %L)', 'worker-a',
                        array(select 'wf-' || i from generate_series(1, 1001) i)),
    'PQ008', null, '1001 names: PQ008');
-- TEST: ... and record nothing
select is((select count(*) from pgqrs.workers), 0::bigint, 'no worker was recorded');
-- TEST: 1000 are accepted
select lives_ok(format('select pgqrs.register_worker(%L, %L)', 'worker-a',
                       array(select 'wf-' || i from generate_series(1, 1000) i)),
    '1000 names are accepted');
select is(cardinality(k.workflows), 1000, 'and stored') from pgqrs_test.worker_row('worker-a') k;

select * from finish();
rollback;
