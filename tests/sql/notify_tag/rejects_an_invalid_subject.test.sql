begin;
select plan(5);

-- TEST: a subject that is NULL, blank or over 1000 characters raises PQ008
select throws_ok('select pgqrs.notify_tag(null)', 'PQ008', null, 'NULL: PQ008');
select throws_ok(format('select pgqrs.notify_tag(%L)', s), 'PQ008', null, length(s) || ' characters: PQ008')
  from unnest(array['', ' ', repeat('s', 1001)]) s;
-- TEST: 1000 characters are accepted
select is(length(pgqrs.notify_tag(repeat('s', 1000))), 16, '1000 characters: a tag');

select * from finish();
rollback;
