begin;
select plan(5);

select pgqrs_test.set_clock('2030-01-01 00:00:00+00') \gset
-- An expired lease: claimed by worker-a, which then went quiet.
select workflow_id as expired from pgqrs_test.claimed_workflow('worker-a', 30) \gset
-- A DEAD workflow (worker-dead, after worker-a: see helpers.sql on worker names).
select pgqrs_test.dead_workflow() as dead \gset
-- Two workflows suspended awaiting another: one awaited workflow was deleted (as a prune might),
-- the other finished without waking its waiter (its wake-up lost).
select pgqrs_test.new_workflow('wf-gone') as gone \gset
select pgqrs_test.new_workflow('wf-done') as done \gset
select * from pgqrs_test.running_workflow('runner-a') as r(waits_gone, t1) \gset
select * from pgqrs_test.running_workflow('runner-a') as r(waits_done, t2) \gset
select status from pgqrs.await_workflow(:'waits_gone', 'pgqrs.await', :t1, 1, :'gone') \gset
select status from pgqrs.await_workflow(:'waits_done', 'pgqrs.await', :t2, 1, :'done') \gset
delete from pgqrs.workflows where id = :'gone';
update pgqrs.workflows set status = 'SUCCESS', finished_at = pgqrs.now() where id = :'done';
-- Two queued workflows of a name no worker serves.
select pgqrs_test.queued_workflow('wf-nobody') as nobody1 \gset
select pgqrs_test.advance_clock('40 seconds') \gset
select pgqrs_test.queued_workflow('wf-nobody') as nobody2 \gset

-- TEST: the expired lease, with its owner
select is((select reason from pgqrs.stuck_workflows() where id = :'expired'),
          'lease expired (owner worker-a)', 'expired lease');
-- TEST: the DEAD workflow
select is((select status from pgqrs.stuck_workflows() where id = :'dead'), 'DEAD', 'DEAD');
-- TEST: the lost wake-ups, saying why
select is((select reason from pgqrs.stuck_workflows() where id = :'waits_gone'),
          format('waits for workflow %s, which does not exist', :'gone'), 'awaited one gone');
select is((select reason from pgqrs.stuck_workflows() where id = :'waits_done'),
          format('waits for workflow %s, which is SUCCESS and did not wake it', :'done'),
          'awaited one finished');
-- TEST: an unserved name gives one row, its oldest ready workflow
select results_eq(
    $$select id, reason from pgqrs.stuck_workflows() where name = 'wf-nobody'$$,
    format($$values (%L::uuid, 'no live worker serves wf-nobody'::text)$$, :'nobody1'),
    'one row for wf-nobody');

select * from finish();
rollback;
