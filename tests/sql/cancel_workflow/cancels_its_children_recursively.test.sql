begin;
select plan(15);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs_test.new_workflow() as parent \gset
-- Children in every state, and a grandchild.
select workflow_id as c_pending from pgqrs.submit_workflow('wf', '{"c": 1}', jsonb_build_object('parent_id', :'parent')) \gset
select workflow_id as c_running from pgqrs.submit_workflow('wf', '{"c": 2}', jsonb_build_object('parent_id', :'parent', 'queue', false)) \gset
select token as running_token from pgqrs.acquire_workflow(:'c_running', 'runner-a') \gset
select workflow_id as grandchild from pgqrs.submit_workflow('wf', '{"c": 3}', jsonb_build_object('parent_id', :'c_running')) \gset
select workflow_id as c_success from pgqrs.submit_workflow('wf', '{"c": 4}', jsonb_build_object('parent_id', :'parent', 'queue', false)) \gset
select token as success_token from pgqrs.acquire_workflow(:'c_success', 'runner-a') \gset
select pgqrs.complete_workflow(:'c_success', :success_token, '"done"') \gset
select workflow_id as c_failed from pgqrs.submit_workflow('wf', '{"c": 5}', jsonb_build_object('parent_id', :'parent', 'queue', false)) \gset
select token as failed_token from pgqrs.acquire_workflow(:'c_failed', 'runner-a') \gset
select pgqrs.fail_workflow(:'c_failed', :failed_token, '"boom"') \gset
select workflow_id as c_cancelled from pgqrs.submit_workflow('wf', '{"c": 6}', jsonb_build_object('parent_id', :'parent')) \gset
select pgqrs.cancel_workflow(:'c_cancelled', 'earlier') \gset
-- A DEAD child: claimed by worker-dead with max_recoveries 0, its lease expired, claimed again.
select pgqrs_test.worker('worker-dead', array['wf-dead']) \gset
select workflow_id as c_dead from pgqrs.submit_workflow('wf-dead', '{}', jsonb_build_object('parent_id', :'parent', 'max_recoveries', 0)) \gset
select token from pgqrs.claim_workflows('worker-dead') \gset
select pgqrs_test.expire_lease(:'c_dead') \gset
select count(*) from pgqrs.claim_workflows('worker-dead') \gset
-- TEST: (setup) the DEAD child is DEAD
select is(w.status, 'DEAD', 'setup: the DEAD child') from pgqrs_test.workflow(:'c_dead') w;
select workflow_id as unrelated from pgqrs.submit_workflow('wf', '{"c": 7}') \gset
create temp table finished_before as
    select * from pgqrs.workflows where id in (:'c_success', :'c_failed', :'c_cancelled', :'unrelated');
select pgqrs_test.advance_clock('1 minute') as t1 \gset

select is(pgqrs.cancel_workflow(:'parent', 'user asked'), true, 'the parent is cancelled');

-- TEST: its PENDING, RUNNING and DEAD children are CANCELLED, with an error naming the parent
select results_eq(
    format($$select id, status, error ->> 'type', error ->> 'message', finished_at from pgqrs.workflows
              where id in (%L, %L, %L) order by id$$, :'c_pending', :'c_running', :'c_dead'),
    format($$select id, 'CANCELLED'::text, 'pgqrs.Cancelled'::text,
                    'its parent workflow ' || %L || ' was cancelled', %L::timestamptz
               from unnest(array[%L, %L, %L]::uuid[]) id order by id$$,
           :'parent', :'t1', :'c_pending', :'c_running', :'c_dead'),
    'children CANCELLED, naming the parent');
-- TEST: and so, recursively, is the grandchild, with an error naming its own parent
select is(w.status, 'CANCELLED', 'the grandchild is CANCELLED') from pgqrs_test.workflow(:'grandchild') w;
select is(w.error ->> 'message', 'its parent workflow ' || :'c_running' || ' was cancelled',
    'naming its parent') from pgqrs_test.workflow(:'grandchild') w;
-- TEST: the parent itself has the reason it was given
select is(w.error ->> 'message', 'user asked', 'the parent''s reason') from pgqrs_test.workflow(:'parent') w;
-- TEST: the running child's lease ends (token + 1) and its runner is fenced out: PQ011
select is(w.lease_owner, null, 'no owner') from pgqrs_test.workflow(:'c_running') w;
select is(w.lease_token, :running_token::bigint + 1, 'token + 1') from pgqrs_test.workflow(:'c_running') w;
select throws_ok(format('select pgqrs.begin_step(%L, %L, %s, 1)', :'c_running', 'fetch', :running_token),
    'PQ011', null, 'begin_step of the child''s runner: PQ011');
select throws_ok(format('select pgqrs.heartbeat(%L, %s)', :'c_running', :running_token),
    'PQ011', null, 'heartbeat of the child''s runner: PQ011');
select throws_ok(format('select pgqrs.complete_workflow(%L, %s, %L)', :'c_running', :running_token, '1'),
    'PQ011', null, 'complete_workflow of the child''s runner: PQ011');
-- TEST: finished children (SUCCESS, FAILED, CANCELLED) and unrelated workflows are left alone
select results_eq(
    format('select * from pgqrs.workflows where id in (%L, %L, %L, %L) order by id',
           :'c_success', :'c_failed', :'c_cancelled', :'unrelated'),
    'select * from finished_before order by id', 'unchanged');
select is(w.status, 'PENDING', 'the unrelated workflow is still PENDING') from pgqrs_test.workflow(:'unrelated') w;
-- TEST: cancelling an already cancelled parent changes nothing (false)
select is(pgqrs.cancel_workflow(:'parent'), false, 'a second cancel returns false');
select is(w.finished_at, :'t1'::timestamptz, 'the child keeps its cancel time') from pgqrs_test.workflow(:'c_pending') w;

select * from finish();
rollback;
