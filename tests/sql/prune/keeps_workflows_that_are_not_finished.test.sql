begin;
select plan(3);
select pgqrs_test.prune_lock();

-- Old workflows in every state that is not final: PENDING, RUNNING under a lease, RUNNING and
-- suspended, queued and never claimed. Each was last changed on 2030-01-01.
select pgqrs_test.set_clock('2030-01-01 00:00:00+00') \gset
select pgqrs_test.new_workflow(p_input => '{"n": 1}') as pending \gset
select workflow_id as running, token from pgqrs_test.running_workflow(p_input => '{"n": 2}') \gset
select pgqrs.complete_step(:'running', 'fetch', :token, '"ok"') \gset
select workflow_id as sleeping, token as sleeping_token from pgqrs_test.running_workflow(p_input => '{"n": 3}') \gset
select status from pgqrs.sleep_step(:'sleeping', 'nap', :sleeping_token, 1, p_seconds => 86400 * 365) \gset
select pgqrs_test.queued_workflow(p_input => '{"n": 4}') as queued \gset
create temp table before as select * from pgqrs.workflows;

-- A year later.
select pgqrs_test.set_clock('2031-01-01 00:00:00+00') \gset

-- TEST: prune deletes none of them, and says its pass is over
select results_eq('select workflows, steps, messages, more, busy from pgqrs.prune(interval ''1 day'')',
    $$values (0::bigint, 0::bigint, 0::bigint, false, false)$$, 'nothing deleted');
-- TEST: every row is as it was
select results_eq('select * from pgqrs.workflows order by id', 'select * from before order by id',
    'the workflows are unchanged');
select is(pgqrs_test.step_count(:'running'), 1::bigint, 'the running workflow keeps its step');

select * from finish();
rollback;
