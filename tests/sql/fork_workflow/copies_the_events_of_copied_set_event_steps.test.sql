begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs.set_event(:'workflow_id', 'publish', :token, 1, 'status', '"half way"');
select pgqrs_test.succeeded_step(:'workflow_id', :token, 'fetch') \gset
select pgqrs.set_event(:'workflow_id', 'publish-2', :token, 3, 'other', '"late"');

-- TEST: a fork from a later step copies the event a copied set_event step published ...
select pgqrs.fork_workflow(:'workflow_id', 'publish-2') as fork_id \gset
select results_eq(
    format('select found, value from pgqrs.get_event(%L, ''status'')', :'fork_id'),
    $$values (true, '"half way"'::jsonb)$$,
    'the fork reads the event its copied step published');
-- TEST: ... and not one published by a step it runs again
select results_eq(
    format('select found from pgqrs.get_event(%L, ''other'')', :'fork_id'),
    $$values (false)$$,
    'an event of a step after the fork point is not copied');

select * from finish();
rollback;
