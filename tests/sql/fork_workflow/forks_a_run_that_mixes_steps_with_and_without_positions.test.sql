begin;
select plan(4);

-- A run that a 0.1.0 client started (steps without position: acquire_step, complete_step) and a
-- newer client continued (positions), in this start order: a (none), b (1), c (none), d (2),
-- e (3).
select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a', 600) \gset
select status from pgqrs.acquire_step(:'workflow_id', 'a', :token) \gset
select pgqrs.complete_step(:'workflow_id', 'a', :token, '"A"') \gset
select pgqrs_test.advance_clock('1 second') \gset
select pgqrs.record_step(:'workflow_id', 'b', :token, 1, '"B"') \gset
select pgqrs_test.advance_clock('1 second') \gset
select status from pgqrs.acquire_step(:'workflow_id', 'c', :token) \gset
select pgqrs.complete_step(:'workflow_id', 'c', :token, '"C"') \gset
select pgqrs_test.advance_clock('1 second') \gset
select pgqrs.record_step(:'workflow_id', 'd', :token, 2, '"D"') \gset
select pgqrs_test.advance_clock('1 second') \gset
select pgqrs.record_step(:'workflow_id', 'e', :token, 3, '"E"') \gset

-- TEST: forking from the last step copies every earlier step, with and without positions, as
-- recorded (no 23505 from renumbered positions, no step dropped)
select pgqrs.fork_workflow(:'workflow_id', 'e') as fork_e \gset
select results_eq(format('select step_key, output, position from pgqrs.steps where workflow_id = %L order by started_at', :'fork_e'),
    $$values ('a', '"A"'::jsonb, null::integer), ('b', '"B"', 1), ('c', '"C"', null), ('d', '"D"', 2)$$,
    'fork from e: a, b, c, d');
-- TEST: "before" is run order: a step without a position comes after the positioned steps that
-- started before it, so forking from d copies a, b and c, and forking from c copies a and b
select pgqrs.fork_workflow(:'workflow_id', 'd') as fork_d \gset
select set_eq(format('select step_key from pgqrs.steps where workflow_id = %L', :'fork_d'),
    $$values ('a'), ('b'), ('c')$$, 'fork from d: a, b, c');
select pgqrs.fork_workflow(:'workflow_id', 'c') as fork_c \gset
select set_eq(format('select step_key from pgqrs.steps where workflow_id = %L', :'fork_c'),
    $$values ('a'), ('b')$$, 'fork from c: a, b');
-- TEST: the fork replays: a run of it skips the copied steps
select token as fork_token from pgqrs.acquire_workflow(:'fork_e', 'runner-b') \gset
select results_eq(format($$select a.status, a.value from pgqrs.acquire_step(%L, 'c', %s) a
                           union all select b.status, b.value from pgqrs.begin_step(%L, 'd', %s, 2) b$$,
                         :'fork_e', :fork_token, :'fork_e', :fork_token),
    $$values ('SKIPPED'::text, '"C"'::jsonb), ('SKIPPED', '"D"')$$, 'c and d: SKIPPED');

select * from finish();
rollback;
