begin;
select plan(3);

select * from pgqrs_test.running_workflow('runner-a') \gset
select pgqrs.set_event(:'workflow_id', 'publish', :token, 1, 'status', '1') \gset
select pgqrs_test.new_workflow() as other_id \gset

-- TEST: a key the workflow never set answers one row: found false, no value, no time
select results_eq(format($$select found, value, set_at from pgqrs.get_event(%L, 'progress')$$, :'workflow_id'),
    $$values (false, null::jsonb, null::timestamptz)$$, 'found false');
-- TEST: events are per workflow: another workflow has none under the same key
select results_eq(format($$select found from pgqrs.get_event(%L, 'status')$$, :'other_id'),
    $$values (false)$$, 'not another workflow''s');
-- TEST: a finished workflow's events stay readable
select pgqrs.complete_workflow(:'workflow_id', :token, '1') \gset
select results_eq(format($$select found, value from pgqrs.get_event(%L, 'status')$$, :'workflow_id'),
    $$values (true, '1'::jsonb)$$, 'after the workflow finished');

select * from finish();
rollback;
