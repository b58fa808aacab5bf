begin;
select plan(5);

select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: step keys starting with '#' are reserved for the replay snapshot's own entries
-- ("#open", "#more"): PQ008 ...
select throws_ok(format($$select pgqrs.sleep_step(%L, %L, %s, 1, p_seconds => 0)$$, :'workflow_id', k, :token),
                 'PQ008', null, k || ': PQ008')
  from unnest(array['#open', '#more', '#']) k;
-- TEST: ... and write nothing
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');
-- TEST: a '#' after the first character is an ordinary key (the decorators' name#2)
select lives_ok(format($$select pgqrs.sleep_step(%L, %L, %s, 1, p_seconds => 0)$$, :'workflow_id', 'fetch#2', :token),
    'fetch#2 is accepted');

select * from finish();
rollback;
