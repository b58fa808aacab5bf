begin;
select plan(3);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a', 600) \gset
-- Receiving in process (WAIT): the runner keeps its lease and looks again itself.
select status from pgqrs.recv_message(:'workflow_id', 'wait', :token, 1, 'orders',
                                      p_timeout_seconds => 5, p_inline_seconds => 10) \gset
create temp table before as select * from pgqrs.workflows where id = :'workflow_id';
select pgqrs_test.advance_clock('1 second') \gset
select message_id from pgqrs.send_message(:'workflow_id', 'orders', '1') \gset

-- TEST: a message to a workflow whose runner holds the lease does not touch the workflow row
select is(:'status'::text, 'WAIT', 'the receiver waits in process');
select results_eq(format('select * from pgqrs.workflows where id = %L', :'workflow_id'),
    'select * from before', 'the workflow row is unchanged');
-- TEST: the runner's next look gets the message
select results_eq(
    format($$select status, message from pgqrs.recv_message(%L, 'wait', %s, 1, 'orders', 5, 10)$$, :'workflow_id', :token),
    $$values ('RECEIVED'::text, '1'::jsonb)$$, 'received on the next poll');

select * from finish();
rollback;
