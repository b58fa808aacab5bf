begin;
select plan(6);

select pgqrs_test.set_clock() \gset
select workflow_id as wf_success, token as token_s from pgqrs_test.running_workflow('runner-a') \gset
select pgqrs.complete_workflow(:'wf_success', :token_s, '1') \gset
select workflow_id as wf_failed, token as token_f from pgqrs_test.running_workflow('runner-a') \gset
select pgqrs.fail_workflow(:'wf_failed', :token_f, '"boom"') \gset
select pgqrs_test.new_workflow() as wf_cancelled \gset
select pgqrs.cancel_workflow(:'wf_cancelled') \gset
select pgqrs_test.dead_workflow() as wf_dead \gset

-- TEST: a SUCCESS, FAILED or CANCELLED workflow receives nothing: PQ005
select throws_ok(format($$select * from pgqrs.send_message(%L, 'orders', '1')$$, :'wf_success'),
    'PQ005', null, 'SUCCESS: PQ005');
select throws_ok(format($$select * from pgqrs.send_message(%L, 'orders', '1')$$, :'wf_failed'),
    'PQ005', null, 'FAILED: PQ005');
select throws_ok(format($$select * from pgqrs.send_message(%L, 'orders', '1')$$, :'wf_cancelled'),
    'PQ005', null, 'CANCELLED: PQ005');
select is((select count(*) from pgqrs.messages
            where workflow_id in (:'wf_success', :'wf_failed', :'wf_cancelled')), 0::bigint, 'no message stored');
-- TEST: a DEAD workflow may be revived, so it still takes messages
select is(s.created, true, 'DEAD: queued') from pgqrs.send_message(:'wf_dead', 'orders', '1') s;
select is((select count(*) from pgqrs.messages where workflow_id = :'wf_dead'), 1::bigint, 'stored');

select * from finish();
rollback;
