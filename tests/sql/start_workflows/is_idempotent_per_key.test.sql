begin;
select plan(4);

select pgqrs_test.set_clock() \gset
select array_agg(workflow_id order by item) as first_ids
  from pgqrs.start_workflows('wf-bulk-key', '[1, 2, 3]', array['bk-1', null, 'bk-3']) \gset

-- TEST: the same call again returns the keyed workflows (created = false) and makes a new one
-- for the item without a key
select results_eq(
    format($$select item, workflow_id = (%L::uuid[])[item], created
               from pgqrs.start_workflows('wf-bulk-key', '[1, 2, 3]', array['bk-1', null, 'bk-3'])$$,
           :'first_ids'),
    $$values (1, true, false), (2, false, true), (3, true, false)$$,
    'keyed items return the existing workflows');
-- TEST: items with new keys next to items with existing ones: only the new ones are created
select results_eq(
    format($$select item, created, workflow_id = any (%L::uuid[])
               from pgqrs.start_workflows('wf-bulk-key', '[4, 1, 5]', array['bk-4', 'bk-1', 'bk-5'])$$,
           :'first_ids'),
    $$values (1, true, false), (2, false, true), (3, true, false)$$,
    'a mix of new and existing');
select is(count(*), 6::bigint, 'six workflows in all') from pgqrs.workflows where name = 'wf-bulk-key';
-- TEST: a key made by start_workflow is found too, with its status
select workflow_id as seven from pgqrs.start_workflow('wf-bulk-key', '7', p_idempotency_key => 'bk-7') \gset
select results_eq(
    $$select created, status from pgqrs.start_workflows('wf-bulk-key', '[7]', array['bk-7'])$$,
    $$values (false, 'PENDING'::text)$$,
    'found by its key');

select * from finish();
rollback;
