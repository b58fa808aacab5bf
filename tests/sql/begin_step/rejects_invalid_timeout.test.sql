begin;
select plan(6);

select * from pgqrs_test.running_workflow() \gset

-- TEST: a timeout must be in (0, 2678400] seconds
select throws_ok(format('select pgqrs.begin_step(%L, %L, %s, 1, p_timeout_seconds => 0)', :'workflow_id', 'fetch', :token),
    'PQ008', null, 'timeout 0: PQ008');
select throws_ok(format('select pgqrs.begin_step(%L, %L, %s, 1, p_timeout_seconds => -5)', :'workflow_id', 'fetch', :token),
    'PQ008', null, 'timeout -5: PQ008');
select throws_ok(format($$select pgqrs.begin_step(%L, %L, %s, 1, p_timeout_seconds => 'NaN')$$, :'workflow_id', 'fetch', :token),
    'PQ008', null, 'timeout NaN: PQ008');
select throws_ok(format($$select pgqrs.begin_step(%L, %L, %s, 1, p_timeout_seconds => 'Infinity')$$, :'workflow_id', 'fetch', :token),
    'PQ008', null, 'timeout Infinity: PQ008');
select throws_ok(format('select pgqrs.begin_step(%L, %L, %s, 1, p_timeout_seconds => 2678401)', :'workflow_id', 'fetch', :token),
    'PQ008', null, 'timeout over 31 days: PQ008');
select is(pgqrs_test.step_count(:'workflow_id'), 0::bigint, 'no step row');

select * from finish();
rollback;
