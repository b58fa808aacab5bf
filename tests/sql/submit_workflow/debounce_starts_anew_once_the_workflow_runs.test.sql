begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-deb2-a', array['wf-deb2']) \gset
select workflow_id as first from pgqrs.submit_workflow('wf-deb2', '{"n": 1}',
    '{"debounce_key": "d", "debounce_seconds": 5}') \gset
select pgqrs_test.advance_clock('5 seconds') \gset
select is(pgqrs_test.claim_ids('wq-deb2-a'), array[:'first'::uuid], 'the first burst runs');

-- TEST: a start while it runs makes a new workflow: the running one keeps its input
select workflow_id as second, created from pgqrs.submit_workflow('wf-deb2', '{"n": 2}',
    '{"debounce_key": "d", "debounce_seconds": 5}') \gset
select ok(:'created' and :'second' <> :'first', 'a new workflow');
select is(w.input, '{"n": 1}'::jsonb, 'the running one keeps its input')
  from pgqrs_test.workflow(:'first') w;

select * from finish();
rollback;
