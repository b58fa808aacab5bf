begin;
select plan(10);

-- Workflows of two names, in three statuses, created a minute apart; one with a key.
select pgqrs_test.set_clock('2030-01-01 00:00:00+00') \gset
select pgqrs_test.new_workflow('wf-a') as a_pending \gset
select pgqrs_test.advance_clock('1 minute') as t1 \gset
select workflow_id as a_running from pgqrs.create_workflow('wf-a', '{}', p_idempotency_key => 'order-7') \gset
select token as a_token from pgqrs.acquire_workflow(:'a_running', 'runner-a') \gset
select pgqrs_test.advance_clock('1 minute') \gset
select pgqrs_test.new_workflow('wf-b') as b_pending \gset
select pgqrs_test.advance_clock('1 minute') \gset
select * from pgqrs_test.running_workflow() as r(b_done, b_token) \gset
select pgqrs.complete_workflow(:'b_done', :b_token, '1') \gset
select pgqrs_test.advance_clock('1 minute') \gset
select workflow_id as a_late from pgqrs.create_workflow('wf-a', '{"late": true}') \gset

-- ids(sql): the ids a listing returns, in its order.
create function pg_temp.ids(p_sql text) returns uuid[] language plpgsql as $$
declare v uuid[];
begin
    execute 'select coalesce(array_agg(l.id), ''{}'') from (' || p_sql || ') l' into v;
    return v;
end
$$;

-- TEST: each filter alone
select is(pg_temp.ids($$select * from pgqrs.list_workflows_page(p_status => 'PENDING')$$),
          array[:'a_late', :'b_pending', :'a_pending']::uuid[], 'status PENDING');
select is(pg_temp.ids($$select * from pgqrs.list_workflows_page(p_name => 'wf-a')$$),
          array[:'a_late', :'a_running', :'a_pending']::uuid[], 'name wf-a');
select is(pg_temp.ids(format('select * from pgqrs.list_workflows_page(p_created_after => %L)', :'t1')),
          array[:'a_late', :'b_done', :'b_pending']::uuid[], 'created strictly after t1');
select is(pg_temp.ids($$select * from pgqrs.list_workflows_page(p_idempotency_key => 'order-7')$$),
          array[:'a_running']::uuid[], 'idempotency key order-7');
select is(pg_temp.ids($$select * from pgqrs.list_workflows_page(p_idempotency_key => 'order-8')$$),
          '{}'::uuid[], 'an unknown key: nothing');
-- TEST: filters together are all applied
select is(pg_temp.ids($$select * from pgqrs.list_workflows_page(p_status => 'PENDING', p_name => 'wf-a')$$),
          array[:'a_late', :'a_pending']::uuid[], 'PENDING and wf-a');
select is(pg_temp.ids(format('select * from pgqrs.list_workflows_page(%L, %L, p_created_after => %L)',
                             'PENDING', 'wf-a', :'t1')),
          array[:'a_late']::uuid[], 'PENDING, wf-a and after t1');
select is(pg_temp.ids($$select * from pgqrs.list_workflows_page(p_name => 'wf-b', p_idempotency_key => 'order-7')$$),
          '{}'::uuid[], 'key order-7 of wf-b: nothing');
select is(pg_temp.ids($$select * from pgqrs.list_workflows_page(p_status => 'RUNNING', p_idempotency_key => 'order-7')$$),
          array[:'a_running']::uuid[], 'key order-7 and RUNNING');
-- TEST: a filter and a cursor together page within the filter
select created_at as running_at from pgqrs_test.workflow(:'a_running') \gset
select is(pg_temp.ids(format('select * from pgqrs.list_workflows_page(p_name => %L, p_before_created_at => %L, p_before_id => %L)',
                             'wf-a', :'running_at', :'a_running')),
          array[:'a_pending']::uuid[], 'wf-a before a_running');

select * from finish();
rollback;
