begin;
select plan(6);

-- TEST: a hostname that is blank or over 255 characters raises PQ008 ...
select throws_ok(format('select pgqrs.register_worker(%L, %L, 1, %L)', 'worker-a', array['wf'], h),
                 'PQ008', null, length(h) || ' characters: PQ008')
  from unnest(array['', '  ', repeat('h', 256)]) h;
-- TEST: ... and records nothing
select is((select count(*) from pgqrs.workers), 0::bigint, 'no worker was recorded');
-- TEST: 255 characters, or none at all (NULL), are accepted
select lives_ok(format('select pgqrs.register_worker(%L, %L, 1, %L)', 'worker-a', array['wf'], repeat('h', 255)),
    '255 characters are accepted');
select lives_ok($$select pgqrs.register_worker('worker-a', array['wf'], 1, null)$$, 'NULL is accepted');

select * from finish();
rollback;
