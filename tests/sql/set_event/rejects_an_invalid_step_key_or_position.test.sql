begin;
select plan(8);

select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: a step key must be a non-blank string of at most 512 characters ...
select throws_ok(format($$select pgqrs.set_event(%L, %L, %s, 1, 'status', '1')$$, :'workflow_id', k, :token),
                 'PQ008', null, coalesce(length(k) || ' characters', 'NULL') || ': PQ008')
  from unnest(array[null, '', E' \t', repeat('k', 513)]) k;
-- TEST: ... and the position 1 or more
select throws_ok(format($$select pgqrs.set_event(%L, 'publish', %s, %s, 'status', '1')$$, :'workflow_id', :token, p),
                 'PQ008', null, 'position ' || p || ': PQ008')
  from unnest(array['0', 'null']) p;
-- TEST: neither writes anything
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');
-- TEST: a 512-character key is accepted
select lives_ok(format($$select pgqrs.set_event(%L, %L, %s, 1, 'status', '1')$$, :'workflow_id', repeat('k', 512), :token),
    '512 characters are accepted');

select * from finish();
rollback;
