begin;
select plan(2);

select * from pgqrs_test.running_workflow('runner-a') \gset
select pgqrs.cancel_workflow(:'workflow_id') \gset

-- TEST: the runner of a cancelled workflow cannot publish: PQ011, nothing set
select throws_ok(format($$select pgqrs.set_event(%L, 'publish', %s, 1, 'status', '1')$$, :'workflow_id', :token),
    'PQ011', null, 'PQ011');
select is((select count(*) from pgqrs.events where workflow_id = :'workflow_id'), 0::bigint, 'no event');

select * from finish();
rollback;
