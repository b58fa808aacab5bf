begin;
select plan(7);

-- What _cancel_tree defers when a row is held by another transaction (which a single pgTAP
-- session cannot do), written by hand: a cancel of a workflow that has a child, and a wake-up of
-- a workflow suspended awaiting another one.
select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.new_workflow('wf-deferred') as doomed \gset
select workflow_id as doomed_child from pgqrs.submit_workflow('wf-deferred', '{"child": 1}', jsonb_build_object('parent_id', :'doomed')) \gset
select * from pgqrs_test.running_workflow() as r(sleeper, sleeper_token) \gset
select status from pgqrs.await_workflow(:'sleeper', 'wait', :sleeper_token, 1, pgqrs_test.new_workflow('wf-deferred')) \gset
insert into pgqrs.deferred (workflow_id, action, error, created_at)
values (:'doomed', 'cancel', '{"type": "pgqrs.Cancelled", "message": "its parent workflow x was cancelled", "traceback": null}', :'t0'),
       (:'sleeper', 'wake', null, :'t0');
select pgqrs_test.worker('worker-a', array['wf-other']) \gset
select pgqrs_test.advance_clock('1 minute') as t1 \gset

-- TEST: a claim, of any worker, applies them first ...
select is_empty($$select * from pgqrs.claim('worker-a', gen_random_uuid())$$, 'nothing of its own to claim');
-- TEST: ... the cancel: CANCELLED with the recorded error, with its descendants ...
select is(w.status, 'CANCELLED', 'CANCELLED') from pgqrs_test.workflow(:'doomed') w;
select is(w.error ->> 'message', 'its parent workflow x was cancelled', 'the recorded error') from pgqrs_test.workflow(:'doomed') w;
select is(w.status, 'CANCELLED', 'its child too') from pgqrs_test.workflow(:'doomed_child') w;
-- TEST: ... the wake-up: the suspended workflow is available now, still RUNNING ...
select is(w.available_at, :'t1'::timestamptz, 'available now') from pgqrs_test.workflow(:'sleeper') w;
select is(w.status, 'RUNNING', 'RUNNING') from pgqrs_test.workflow(:'sleeper') w;
-- TEST: ... and both rows are gone
select is((select count(*) from pgqrs.deferred), 0::bigint, 'pgqrs.deferred is empty');

select * from finish();
rollback;
