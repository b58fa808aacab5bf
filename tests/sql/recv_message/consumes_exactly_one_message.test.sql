begin;
select plan(10);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a', 600) \gset
select message_id as m1 from pgqrs.send_message(:'workflow_id', 'orders', '{"n": 1}') \gset
select message_id as m2 from pgqrs.send_message(:'workflow_id', 'orders', '{"n": 2}') \gset
select pgqrs_test.advance_clock('1 second') as t1 \gset
create temp table received as
    select * from pgqrs.recv_message(:'workflow_id', 'recv', :token, 1, 'orders', p_timeout_seconds => 60);

-- TEST: a receive with a message queued answers RECEIVED with the oldest one
select results_eq('select status, message, remaining from received',
    $$values ('RECEIVED'::text, '{"n": 1}'::jsonb, 0::float8)$$, 'RECEIVED {"n": 1}');
-- TEST: it consumes exactly that message, by this step, now
select results_eq(format('select id, consumed_by, consumed_at from pgqrs.messages where workflow_id = %L order by id', :'workflow_id'),
    format($$values (%s::bigint, 'recv'::text, %L::timestamptz), (%s, null, null)$$, :m1, :'t1', :m2),
    'the first consumed by recv, the second still queued');
-- TEST: the step is recorded SUCCESS with {"message": ...}, finished now
select is(s.status, 'SUCCESS', 'SUCCESS') from pgqrs_test.step(:'workflow_id', 'recv') s;
select is(s.output, '{"message": {"n": 1}}'::jsonb, 'output {"message": ...}') from pgqrs_test.step(:'workflow_id', 'recv') s;
select is(s.finished_at, :'t1'::timestamptz, 'finished now') from pgqrs_test.step(:'workflow_id', 'recv') s;
-- TEST: the lease is kept and extended
select is(w.lease_owner, 'runner-a', 'still held') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_expires_at, :'t1'::timestamptz + interval '600 seconds', 'extended')
  from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: a replay of the step, by a new run, returns the same message and consumes no other
select pgqrs_test.takeover(:'workflow_id', 'runner-b') as token2 \gset
select results_eq(
    format($$select status, message from pgqrs.recv_message(%L, 'recv', %s, 1, 'orders')$$, :'workflow_id', :token2),
    $$values ('RECEIVED'::text, '{"n": 1}'::jsonb)$$, 'replay: the same message');
select results_eq(
    format($$select status, message from pgqrs.recv_message(%L, 'recv', %s, 1, 'orders')$$, :'workflow_id', :token2),
    $$values ('RECEIVED'::text, '{"n": 1}'::jsonb)$$, 'replay again: the same message');
select is((select count(*) from pgqrs.messages where workflow_id = :'workflow_id' and consumed_by is null),
    1::bigint, 'the second message is still queued');

select * from finish();
rollback;
