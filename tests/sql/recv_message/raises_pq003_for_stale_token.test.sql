begin;
select plan(4);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select message_id from pgqrs.send_message(:'workflow_id', 'orders', '1') \gset
select pgqrs_test.takeover(:'workflow_id', 'runner-b') as token2 \gset
create temp table before as select * from pgqrs.workflows where id = :'workflow_id';

-- TEST: a receive with a token that was taken over raises PQ003 ...
select throws_ok(format($$select * from pgqrs.recv_message(%L, 'recv', %s, 1, 'orders')$$, :'workflow_id', :token),
    'PQ003', null, 'PQ003');
-- TEST: ... and consumes nothing, records nothing, changes nothing
select is((select consumed_by from pgqrs.messages where workflow_id = :'workflow_id'), null, 'the message is still queued');
select is(pgqrs_test.step_count(:'workflow_id'), 0::bigint, 'no step row');
select results_eq(format('select * from pgqrs.workflows where id = %L', :'workflow_id'),
    'select * from before', 'the workflow row is unchanged');

select * from finish();
rollback;
