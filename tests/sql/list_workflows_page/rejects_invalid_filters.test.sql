begin;
select plan(10);

-- TEST: a status that is not a workflow status raises PQ008
select throws_ok($$select * from pgqrs.list_workflows_page('DONE')$$, 'PQ008', null, 'DONE: PQ008');
-- TEST: a name that is blank or over 255 characters raises PQ008
select throws_ok(format('select * from pgqrs.list_workflows_page(p_name => %L)', n),
                 'PQ008', null, 'name of ' || length(n) || ' characters: PQ008')
  from unnest(array['', ' ', repeat('n', 256)]) n;
-- TEST: a limit that is NULL or not in 1..10000 raises PQ008
select throws_ok(format('select * from pgqrs.list_workflows_page(p_limit => %s)', l),
                 'PQ008', null, 'limit ' || l || ': PQ008')
  from unnest(array['0', '10001', 'null']) l;
-- TEST: an idempotency key that is blank or over 255 characters raises PQ008
select throws_ok(format('select * from pgqrs.list_workflows_page(p_idempotency_key => %L)', k),
                 'PQ008', null, 'key of ' || length(k) || ' characters: PQ008')
  from unnest(array[' ', repeat('k', 256)]) k;
-- TEST: the bounds themselves are accepted
select lives_ok(format('select * from pgqrs.list_workflows_page(%L, %L, 10000, p_idempotency_key => %L)',
                       'CANCELLED', repeat('n', 255), repeat('k', 255)),
    'a status, 255-character name and key, limit 10000');

select * from finish();
rollback;
