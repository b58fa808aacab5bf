begin;
select plan(5);
select pgqrs_test.prune_lock();

-- The two oldest finished roots each have a child that still runs; two later ones can go.
select pgqrs_test.set_clock('2030-01-01 00:00:00+00') \gset
select pgqrs_test.finished_workflow(p_input => '{"n": 1}') as blocked_1 \gset
select workflow_id as runner_1 from pgqrs.submit_workflow('wf', '{"r": 1}', jsonb_build_object('parent_id', :'blocked_1')) \gset
select pgqrs_test.advance_clock('1 minute') \gset
select pgqrs_test.finished_workflow(p_input => '{"n": 2}') as blocked_2 \gset
select workflow_id as runner_2 from pgqrs.submit_workflow('wf', '{"r": 2}', jsonb_build_object('parent_id', :'blocked_2')) \gset
select pgqrs_test.advance_clock('1 minute') \gset
select pgqrs_test.finished_workflow(p_input => '{"n": 3}') as free_3 \gset
select pgqrs_test.advance_clock('1 minute') \gset
select pgqrs_test.finished_workflow(p_input => '{"n": 4}') as free_4 \gset
select pgqrs_test.set_clock('2030-03-01 00:00:00+00') \gset

-- TEST: a call that finds only trees that cannot go deletes nothing but moves on (more)
select results_eq('select workflows, more from pgqrs.prune(interval ''30 days'', 2)',
    $$values (0::bigint, true)$$, 'first call: the two blocked roots, passed over');
-- TEST: the next call starts after them: blocked roots never stop the pass
select results_eq('select workflows, more from pgqrs.prune(interval ''30 days'', 2)',
    $$values (2::bigint, true)$$, 'second call: the two free roots');
select results_eq('select workflows, more from pgqrs.prune(interval ''30 days'', 2)',
    $$values (0::bigint, false)$$, 'third call: the end of the pass');
-- TEST: the next pass starts over from the oldest root: once free, a passed-over tree goes
select pgqrs.cancel_workflow(:'runner_1') \gset
select pgqrs_test.set_clock('2030-05-01 00:00:00+00') \gset
select results_eq('select workflows, more from pgqrs.prune(interval ''30 days'', 2)',
    $$values (2::bigint, true)$$, 'a new pass: the first root and its cancelled child');
select is(pgqrs_test.tree_rows(array[:'blocked_2', :'runner_2']::uuid[]),
    'workflows=2 steps=1 step_attempts=0 messages=0 events=0', 'the other blocked tree stays');

select * from finish();
rollback;
