begin;
select plan(5);

-- parent -> child (SUCCESS) -> grandchild (PENDING, queued) -> great-grandchild (queued)
select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.new_workflow() as parent \gset
select workflow_id as child from pgqrs.submit_workflow('wf', '{"c": 1}', jsonb_build_object('parent_id', :'parent', 'queue', false)) \gset
select token as child_token from pgqrs.acquire_workflow(:'child', 'runner-a') \gset
select workflow_id as grandchild from pgqrs.submit_workflow('wf', '{"c": 2}', jsonb_build_object('parent_id', :'child')) \gset
select workflow_id as great from pgqrs.submit_workflow('wf', '{"c": 3}', jsonb_build_object('parent_id', :'grandchild')) \gset
select pgqrs.complete_workflow(:'child', :child_token, '"done"') \gset
select pgqrs_test.advance_clock('1 minute') as t1 \gset

select is(pgqrs.cancel_workflow(:'parent'), true, 'the parent is cancelled');
-- TEST: a finished child keeps its outcome ...
select is(w.status || ' ' || w.output, 'SUCCESS "done"', 'the child stays SUCCESS') from pgqrs_test.workflow(:'child') w;
-- TEST: ... but the workflows it started, still running, are cancelled with the tree
select is(w.status, 'CANCELLED', 'the grandchild is CANCELLED') from pgqrs_test.workflow(:'grandchild') w;
select is(w.error ->> 'message', 'its parent workflow ' || :'child' || ' was cancelled', 'naming its parent')
  from pgqrs_test.workflow(:'grandchild') w;
select is(w.status, 'CANCELLED', 'and so is the great-grandchild') from pgqrs_test.workflow(:'great') w;

select * from finish();
rollback;
