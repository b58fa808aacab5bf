begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a') \gset

-- TEST: an infinite p_until is an invalid argument: PQ008 (not 22008 from the subtraction in
-- _wait_more, nor a sleep recorded as done at -infinity)
select throws_ok(format($$select * from pgqrs.sleep_step(%L, 'nap', %s, 1, p_until => 'infinity')$$, :'workflow_id', :token),
    'PQ008', null, 'infinity: PQ008');
select throws_ok(format($$select * from pgqrs.sleep_step(%L, 'nap', %s, 1, p_until => '-infinity')$$, :'workflow_id', :token),
    'PQ008', null, '-infinity: PQ008');
select is(pgqrs_test.step_count(:'workflow_id'), 0::bigint, 'no step row');

select * from finish();
rollback;
