begin;
select plan(4);

select pgqrs_test.set_clock() \gset
select pgqrs_test.new_workflow('other') as other_id \gset
select * from pgqrs_test.running_workflow('runner-a', 600) \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1) \gset
select pgqrs.complete_step(:'workflow_id', 'fetch', :token, '"ok"') \gset

-- TEST: _wait_step: "a key recorded as another kind of step raises PQ005". A wait step called
-- (at the same position) with the key of a normal step that finished SUCCESS raises PQ005 too,
-- instead of replaying the normal step's output as the wait's outcome
select throws_ok(format('select * from pgqrs.sleep_step(%L, %L, %s, 1, p_seconds => 60)', :'workflow_id', 'fetch', :token),
    'PQ005', null, 'sleep_step: PQ005 (not DONE with wake_at NULL)');
select throws_ok(format('select * from pgqrs.recv_message(%L, %L, %s, 1, %L)', :'workflow_id', 'fetch', :token, 'orders'),
    'PQ005', null, 'recv_message: PQ005 (not RECEIVED with a NULL message)');
select throws_ok(format('select * from pgqrs.await_workflow(%L, %L, %s, 1, %L)', :'workflow_id', 'fetch', :token, :'other_id'),
    'PQ005', null, 'await_workflow: PQ005 (not DONE with the step''s output as the outcome)');
select throws_ok(format('select pgqrs.set_event(%L, %L, %s, 1, %L, %L)', :'workflow_id', 'fetch', :token, 'status', '1'),
    'PQ005', null, 'set_event: PQ005 (not a silent no-op)');

select * from finish();
rollback;
