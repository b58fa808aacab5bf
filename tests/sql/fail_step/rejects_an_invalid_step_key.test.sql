begin;
select plan(6);

select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: a step key must be a non-blank string of at most 512 characters: NULL, empty, blank or
-- longer keys raise PQ008 ...
select throws_ok(format($$select pgqrs.fail_step(%L, %L, %s, '"boom"')$$, :'workflow_id', k, :token),
                 'PQ008', null, coalesce(length(k) || ' characters', 'NULL') || ': PQ008')
  from unnest(array[null, '', E' \t', repeat('k', 513)]) k;
-- TEST: ... and write nothing
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');
-- TEST: 512 characters are accepted
select lives_ok(format($$select pgqrs.fail_step(%L, %L, %s, '"boom"')$$, :'workflow_id', repeat('k', 512), :token),
    '512 characters are accepted');

select * from finish();
rollback;
