begin;
select plan(5);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a', 600) \gset
select message_id from pgqrs.send_message(:'workflow_id', 'a', '"a1"') \gset
select message_id from pgqrs.send_message(:'workflow_id', 'b', '"b1"') \gset
select message_id from pgqrs.send_message(:'workflow_id', 'a', '"a2"') \gset
select message_id from pgqrs.send_message(:'workflow_id', 'a', '"a3"') \gset
select message_id from pgqrs.send_message(:'workflow_id', 'b', '"b2"') \gset

-- TEST: the messages of a topic are received in the order they were sent, and the topics are
-- independent: receiving on one consumes nothing of another
select results_eq(
    format($$select r.status, r.message from (values (1, 'a'), (2, 'b'), (3, 'a'), (4, 'b'), (5, 'a')) v(pos, topic),
                  lateral pgqrs.recv_message(%L, 'recv-' || v.pos, %s, v.pos, v.topic) r
              order by v.pos$$, :'workflow_id', :token),
    $$values ('RECEIVED'::text, '"a1"'::jsonb), ('RECEIVED', '"b1"'), ('RECEIVED', '"a2"'),
             ('RECEIVED', '"b2"'), ('RECEIVED', '"a3"')$$,
    'a1, b1, a2, b2, a3');
-- TEST: each message is consumed by the step that received it
select results_eq(
    format($$select message, consumed_by from pgqrs.messages where workflow_id = %L order by id$$, :'workflow_id'),
    $$values ('"a1"'::jsonb, 'recv-1'::text), ('"b1"', 'recv-2'), ('"a2"', 'recv-3'),
             ('"a3"', 'recv-5'), ('"b2"', 'recv-4')$$,
    'consumed_by names the receiving step');
-- TEST: with both topics drained, another receive finds nothing (it suspends)
select is(r.status, 'SUSPENDED', 'nothing left on a')
  from pgqrs.recv_message(:'workflow_id', 'recv-6', :token, 6, 'a') r;
-- TEST: a message sent later is received after the earlier ones on its topic
select token as token2 from pgqrs.acquire_workflow(:'workflow_id', 'runner-a') \gset
select message_id from pgqrs.send_message(:'workflow_id', 'a', '"a4"') \gset
select results_eq(
    format($$select status, message from pgqrs.recv_message(%L, 'recv-6', %s, 6, 'a')$$, :'workflow_id', :token2),
    $$values ('RECEIVED'::text, '"a4"'::jsonb)$$, 'a4');
select is(s.output, '{"message": "a4"}'::jsonb, 'recorded') from pgqrs_test.step(:'workflow_id', 'recv-6') s;

select * from finish();
rollback;
