begin;
select plan(10);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30, p_name => 'wf-recv-timeout') \gset
select status from pgqrs.recv_message(:'workflow_id', 'recv', :token, 1, 'orders', p_timeout_seconds => 60) \gset

-- TEST: the suspended receive is not claimed before its deadline ...
select pgqrs_test.set_clock(:'t0'::timestamptz + interval '59 seconds') \gset
select is_empty($$select * from pgqrs.claim_workflows('worker-a')$$, 'not before the deadline');
-- TEST: ... and is at the deadline; the replayed receive, with nothing queued, answers TIMEOUT
select pgqrs_test.set_clock(:'t0'::timestamptz + interval '60 seconds') as t1 \gset
select token as token2 from pgqrs.claim_workflows('worker-a') \gset
select results_eq(
    format($$select status, message, remaining from pgqrs.recv_message(%L, 'recv', %s, 1, 'orders', p_timeout_seconds => 60)$$,
           :'workflow_id', :token2),
    $$values ('TIMEOUT'::text, null::jsonb, 0::float8)$$, 'TIMEOUT');
-- TEST: the timeout is recorded: SUCCESS with {"timeout": true}; the workflow waits no more
select is(s.status, 'SUCCESS', 'SUCCESS') from pgqrs_test.step(:'workflow_id', 'recv') s;
select is(s.output, '{"timeout": true}'::jsonb, 'output {"timeout": true}') from pgqrs_test.step(:'workflow_id', 'recv') s;
select is(s.finished_at, :'t1'::timestamptz, 'finished now') from pgqrs_test.step(:'workflow_id', 'recv') s;
select is(w.waiting_for, null, 'waiting_for cleared') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: a message that comes later does not change the replayed outcome ...
select message_id from pgqrs.send_message(:'workflow_id', 'orders', '"late"') \gset
select results_eq(
    format($$select status, message from pgqrs.recv_message(%L, 'recv', %s, 1, 'orders', p_timeout_seconds => 60)$$,
           :'workflow_id', :token2),
    $$values ('TIMEOUT'::text, null::jsonb)$$, 'replay: still TIMEOUT');
select is(s.output, '{"timeout": true}'::jsonb, 'the record is unchanged') from pgqrs_test.step(:'workflow_id', 'recv') s;
-- TEST: ... it stays queued for the next receive
select is((select consumed_by from pgqrs.messages where workflow_id = :'workflow_id'), null, 'not consumed');
select results_eq(
    format($$select status, message from pgqrs.recv_message(%L, 'recv-2', %s, 2, 'orders')$$, :'workflow_id', :token2),
    $$values ('RECEIVED'::text, '"late"'::jsonb)$$, 'the next receive gets it');

select * from finish();
rollback;
