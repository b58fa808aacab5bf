begin;
select plan(4);

-- Deferred rows whose work is moot: a cancel of a workflow that no longer exists, a cancel of a
-- finished workflow, a wake-up of a workflow that no longer waits (running under a lease), and
-- a wake-up of a cancelled one.
select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow() as r(done, done_token) \gset
select pgqrs.complete_workflow(:'done', :done_token, '"ok"') \gset
select * from pgqrs_test.running_workflow() as r(busy, busy_token) \gset
select pgqrs_test.new_workflow() as cancelled \gset
select pgqrs.cancel_workflow(:'cancelled') \gset
insert into pgqrs.deferred (workflow_id, action, error, created_at)
values (gen_random_uuid(), 'cancel', '{"type": "pgqrs.Cancelled"}', :'t0'),
       (:'done', 'cancel', '{"type": "pgqrs.Cancelled"}', :'t0'),
       (:'busy', 'wake', null, :'t0'),
       (:'cancelled', 'wake', null, :'t0');
create temp table workflows_before as select * from pgqrs.workflows;
select pgqrs_test.worker('worker-a', array['wf-other']) \gset
select pgqrs_test.advance_clock('1 minute') \gset

-- TEST: a claim applies them without error ...
select lives_ok($$select * from pgqrs.claim('worker-a', gen_random_uuid())$$, 'the claim works');
-- TEST: ... changes none of those workflows ...
select results_eq('select * from pgqrs.workflows order by id', 'select * from workflows_before order by id',
                  'no workflow changed');
select is(w.lease_owner, 'runner-a', 'the busy workflow keeps its lease') from pgqrs_test.workflow(:'busy') w;
-- TEST: ... and deletes the rows
select is((select count(*) from pgqrs.deferred), 0::bigint, 'pgqrs.deferred is empty');

select * from finish();
rollback;
