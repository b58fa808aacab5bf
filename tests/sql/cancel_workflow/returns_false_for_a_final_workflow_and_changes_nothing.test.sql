begin;
select plan(6);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() as r(ok_id, ok_token) \gset
select pgqrs.complete_workflow(:'ok_id', :ok_token, '"done"') \gset
select * from pgqrs_test.running_workflow() as r(failed_id, failed_token) \gset
select pgqrs.fail_workflow(:'failed_id', :failed_token, '"boom"') \gset
select pgqrs_test.new_workflow() as cancelled_id \gset
select pgqrs.cancel_workflow(:'cancelled_id', 'first') \gset
create temp table before as
    select * from pgqrs.workflows where id in (:'ok_id', :'failed_id', :'cancelled_id');
select pgqrs_test.advance_clock('1 minute') \gset

-- TEST: SUCCESS, FAILED and CANCELLED are final: cancel_workflow returns false ...
select is(pgqrs.cancel_workflow(:'ok_id', 'late'), false, 'SUCCESS: false');
select is(pgqrs.cancel_workflow(:'failed_id', 'late'), false, 'FAILED: false');
select is(pgqrs.cancel_workflow(:'cancelled_id', 'second'), false, 'CANCELLED: false');
-- TEST: ... and changes nothing
select results_eq(format('select * from pgqrs.workflows where id = %L', :'ok_id'),
    format('select * from before where id = %L', :'ok_id'), 'the SUCCESS row is unchanged');
select results_eq(format('select * from pgqrs.workflows where id = %L', :'failed_id'),
    format('select * from before where id = %L', :'failed_id'), 'the FAILED row is unchanged');
select results_eq(format('select * from pgqrs.workflows where id = %L', :'cancelled_id'),
    format('select * from before where id = %L', :'cancelled_id'), 'the CANCELLED row is unchanged (first reason kept)');

select * from finish();
rollback;
