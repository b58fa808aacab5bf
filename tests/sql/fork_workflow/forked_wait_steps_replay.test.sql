begin;
select plan(7);

-- A run with every kind of wait step, finished: a sleep, a received message, an awaited
-- workflow and a published event; then the step to fork from.
select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a', 600) \gset
select * from pgqrs_test.running_workflow('runner-b') as r(other, other_token) \gset
select pgqrs.complete_workflow(:'other', :other_token, '"other done"') \gset
select message_id from pgqrs.send_message(:'workflow_id', 'orders', '{"order": 7}') \gset
select status from pgqrs.sleep_step(:'workflow_id', 'nap', :token, 1, p_until => :'t0') \gset
select status from pgqrs.recv_message(:'workflow_id', 'recv', :token, 2, 'orders') \gset
select status from pgqrs.await_workflow(:'workflow_id', 'wait', :token, 3, :'other') \gset
select pgqrs.set_event(:'workflow_id', 'publish', :token, 4, 'status', '"ready"') \gset
select pgqrs.record_step(:'workflow_id', 'load', :token, 5, '"loaded"') \gset
select pgqrs.fork_workflow(:'workflow_id', 'load') as fork \gset
select token as fork_token from pgqrs.acquire_workflow(:'fork', 'runner-c') \gset
select pgqrs_test.advance_clock('1 hour') \gset

-- TEST: a run of the fork replays each copied wait step as the step it was (no PQ005), with the
-- outcome the source got
select results_eq(format('select status, wake_at from pgqrs.sleep_step(%L, %L, %s, 1, p_seconds => 3600)', :'fork', 'nap', :fork_token),
    format($$values ('DONE'::text, %L::timestamptz)$$, :'t0'), 'sleep: DONE at the recorded wake time');
select results_eq(format('select status, message from pgqrs.recv_message(%L, %L, %s, 2, %L)', :'fork', 'recv', :fork_token, 'orders'),
    $$values ('RECEIVED'::text, '{"order": 7}'::jsonb)$$, 'recv: the message the source received');
select results_eq(format('select status, outcome ->> %L from pgqrs.await_workflow(%L, %L, %s, 3, %L)', 'output', :'fork', 'wait', :fork_token, :'other'),
    $$values ('DONE'::text, 'other done'::text)$$, 'await: the recorded outcome');
select lives_ok(format($$select pgqrs.set_event(%L, 'publish', %s, 4, 'status', '"changed"')$$, :'fork', :fork_token),
    'set_event: a replay');
-- TEST: ... and replaying writes no new step and consumes no message
select is(pgqrs_test.step_count(:'fork'), 4::bigint, 'no new step');
select is((select count(*) from pgqrs.messages where workflow_id = :'fork'), 0::bigint, 'no message involved');
-- TEST: the step forked from runs again
select is(b.status, 'EXECUTE', 'load: EXECUTE') from pgqrs.begin_step(:'fork', 'load', :fork_token, 5) b;

select * from finish();
rollback;
