begin;
select plan(10);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a') \gset

-- TEST: both p_seconds and p_until, or neither, raise PQ008
select throws_ok(format('select * from pgqrs.sleep_step(%L, %L, %s, 1, p_seconds => 10, p_until => %L)',
    :'workflow_id', 'nap', :token, :'t0'), 'PQ008', null, 'both: PQ008');
select throws_ok(format('select * from pgqrs.sleep_step(%L, %L, %s, 1)', :'workflow_id', 'nap', :token),
    'PQ008', null, 'neither: PQ008');
-- TEST: negative, NaN, infinite or over ten years of seconds raise PQ008
select throws_ok(format('select * from pgqrs.sleep_step(%L, %L, %s, 1, p_seconds => -1)', :'workflow_id', 'nap', :token),
    'PQ008', null, 'negative seconds: PQ008');
select throws_ok(format($$select * from pgqrs.sleep_step(%L, %L, %s, 1, p_seconds => 'NaN')$$, :'workflow_id', 'nap', :token),
    'PQ008', null, 'NaN seconds: PQ008');
select throws_ok(format($$select * from pgqrs.sleep_step(%L, %L, %s, 1, p_seconds => 'Infinity')$$, :'workflow_id', 'nap', :token),
    'PQ008', null, 'infinite seconds: PQ008');
select throws_ok(format('select * from pgqrs.sleep_step(%L, %L, %s, 1, p_seconds => 315360001)', :'workflow_id', 'nap', :token),
    'PQ008', null, 'over ten years: PQ008');
-- TEST: so do a bad step key or position
select throws_ok(format('select * from pgqrs.sleep_step(%L, %L, %s, 1, p_seconds => 1)', :'workflow_id', ' ', :token),
    'PQ008', null, 'blank key: PQ008');
select throws_ok(format('select * from pgqrs.sleep_step(%L, %L, %s, 0, p_seconds => 1)', :'workflow_id', 'nap', :token),
    'PQ008', null, 'position 0: PQ008');
-- TEST: and nothing is written
select is(pgqrs_test.step_count(:'workflow_id'), 0::bigint, 'no step row');
select is(w.lease_token, :token::bigint, 'the lease is unchanged') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
