begin;
select plan(5);

select pgqrs_test.new_workflow() as pending \gset
select workflow_id as running from pgqrs_test.running_workflow() \gset
select workflow_id as succeeded, token as s_token from pgqrs_test.running_workflow() \gset
select pgqrs.complete_workflow(:'succeeded', :s_token, '"ok"') \gset
select workflow_id as failed, token as f_token from pgqrs_test.running_workflow() \gset
select pgqrs.fail_workflow(:'failed', :f_token, '"boom"') \gset

-- TEST: only a DEAD workflow can be revived: any other status raises PQ005
select throws_ok(format('select pgqrs.revive_workflow(%L)', :'pending'), 'PQ005', null, 'PENDING: PQ005');
select throws_ok(format('select pgqrs.revive_workflow(%L)', :'running'), 'PQ005', null, 'RUNNING: PQ005');
select throws_ok(format('select pgqrs.revive_workflow(%L)', :'succeeded'), 'PQ005', null, 'SUCCESS: PQ005');
select throws_ok(format('select pgqrs.revive_workflow(%L)', :'failed'), 'PQ005', null, 'FAILED: PQ005');
-- TEST: and changes nothing
select is(w.status, 'FAILED', 'still FAILED') from pgqrs_test.workflow(:'failed') w;

select * from finish();
rollback;
