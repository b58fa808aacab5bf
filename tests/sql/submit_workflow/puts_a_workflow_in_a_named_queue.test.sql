begin;
select plan(5);

select pgqrs_test.set_clock() as t0 \gset

-- TEST: queue (a name), priority and concurrency_key are stored on the workflow
select workflow_id as wf from pgqrs.submit_workflow('wf-named', '{}',
    '{"queue": "sub-named", "priority": -7, "concurrency_key": "tenant-1"}') \gset
select results_eq(
    format($$select queue, priority, concurrency_key, queued, available_at, status
               from pgqrs.workflows where id = %L$$, :'wf'),
    $$values ('sub-named', -7, 'tenant-1', true, '2030-01-01 00:00:00+00'::timestamptz, 'PENDING')$$,
    'the queue options');
-- TEST: claims find it: its name in queue_names, its key in queue_keys
select ok(exists (select from pgqrs.queue_names where name = 'wf-named' and queue = 'sub-named'),
          'queue_names row');
select ok(exists (select from pgqrs.queue_keys where queue = 'sub-named' and key = 'tenant-1'),
          'queue_keys row');
-- TEST: without options: the default queue, priority 0, no key, and no queue_names row
select workflow_id as plain from pgqrs.submit_workflow('wf-named-plain', '{}') \gset
select results_eq(format('select queue, priority, concurrency_key from pgqrs.workflows where id = %L', :'plain'),
                  $$values ('default', 0, null::text)$$, 'defaults');
-- TEST: queue true is the default queue
select workflow_id as queued_true from pgqrs.submit_workflow('wf-named-plain', '1', '{"queue": true}') \gset
select is(w.queue, 'default', 'queue true') from pgqrs_test.workflow(:'queued_true') w;

select * from finish();
rollback;
