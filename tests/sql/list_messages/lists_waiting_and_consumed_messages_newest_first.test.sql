begin;
select plan(5);

select * from pgqrs_test.running_workflow() \gset
select message_id as m1 from pgqrs.send_message(:'workflow_id', 'payment', '{"cents": 5}', 'psp-1') \gset
select message_id as m2 from pgqrs.send_message(:'workflow_id', 'payment', '{"cents": 7}') \gset
select message_id as m3 from pgqrs.send_message(:'workflow_id', 'note', '"hi"') \gset
-- The first payment is received by a step.
select status as recv_status from pgqrs.recv_message(:'workflow_id', 'pgqrs.recv', :token, 1, 'payment', 60) \gset

-- TEST: every message of the workflow, newest first, with topic and value
select results_eq(
    format($$select message_id, topic, message from pgqrs.list_messages(%L)$$, :'workflow_id'),
    format($$values (%s::bigint, 'note'::text, '"hi"'::jsonb), (%s, 'payment', '{"cents": 7}'),
                    (%s, 'payment', '{"cents": 5}')$$, :m3, :m2, :m1),
    'three messages, newest first');
-- TEST: the consumed one names the step that received it; the others wait
select is((select consumed_by from pgqrs.list_messages(:'workflow_id') where message_id = :m1),
          'pgqrs.recv', 'consumed by the receive step');
select is((select count(*) from pgqrs.list_messages(:'workflow_id') where consumed_by is null),
          2::bigint, 'two still waiting');
-- TEST: the idempotency key is shown
select is((select idempotency_key from pgqrs.list_messages(:'workflow_id') where message_id = :m1),
          'psp-1', 'the key');
-- TEST: p_limit keeps the newest
select is((select array_agg(message_id) from pgqrs.list_messages(:'workflow_id', 1)),
          array[:m3]::bigint[], 'limit 1: the newest');

select * from finish();
rollback;
