begin;
select plan(4);
select pgqrs_test.prune_lock();

-- Five old finished roots, one a minute, the third with two children.
select pgqrs_test.set_clock('2030-01-01 00:00:00+00') \gset
select pgqrs_test.finished_workflow(p_input => '{"n": 1}') \gset
select pgqrs_test.advance_clock('1 minute') \gset
select pgqrs_test.finished_workflow(p_input => '{"n": 2}') \gset
select pgqrs_test.advance_clock('1 minute') \gset
select pgqrs_test.finished_workflow('SUCCESS', null, '{"n": 3}') as third \gset
select pgqrs_test.finished_workflow('SUCCESS', :'third', '{"n": 31}') \gset
select pgqrs_test.finished_workflow('SUCCESS', :'third', '{"n": 32}') \gset
select pgqrs_test.advance_clock('1 minute') \gset
select pgqrs_test.finished_workflow(p_input => '{"n": 4}') \gset
select pgqrs_test.advance_clock('1 minute') \gset
select pgqrs_test.finished_workflow(p_input => '{"n": 5}') \gset
select pgqrs_test.set_clock('2030-03-01 00:00:00+00') \gset

-- TEST: p_limit trees per call, oldest first; more = true while a call stopped at the limit
select results_eq('select workflows, more from pgqrs.prune(interval ''30 days'', 2)',
    $$values (2::bigint, true)$$, 'first call: two roots, more');
select results_eq($$select w.input ->> 'n' from pgqrs.workflows w order by 1$$,
    $$values ('3'), ('31'), ('32'), ('4'), ('5')$$, 'the two oldest went first');
-- TEST: a tree counts as one: the third root goes with its two children
select results_eq('select workflows, more from pgqrs.prune(interval ''30 days'', 2)',
    $$values (4::bigint, true)$$, 'second call: two roots and two children');
-- TEST: the last call takes what is left and says the pass is over
select results_eq('select workflows, more from pgqrs.prune(interval ''30 days'', 2)',
    $$values (1::bigint, false)$$, 'third call: the last one, no more');

select * from finish();
rollback;
