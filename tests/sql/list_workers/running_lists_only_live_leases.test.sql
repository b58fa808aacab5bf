begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select workflow_id as short_lease from pgqrs_test.claimed_workflow('worker-a', 30) \gset
select workflow_id as long_lease from pgqrs_test.claimed_workflow('worker-a', 60) \gset
select workflow_id as long_lease2 from pgqrs_test.claimed_workflow('worker-a', 60) \gset
select workflow_id as done, token as done_token from pgqrs_test.claimed_workflow('worker-a', 60) \gset
select pgqrs.complete_workflow(:'done', :done_token, '"ok"') \gset
select workflow_id as released, token as released_token from pgqrs_test.claimed_workflow('worker-a', 60) \gset
select pgqrs.release_workflow(:'released', :released_token) \gset
select workflow_id as theirs from pgqrs_test.claimed_workflow('worker-b', 60, p_name => 'other') \gset

-- TEST: running lists the RUNNING workflows the worker holds a live lease on, ordered by id
select is(l.running, array(select unnest(array[:'short_lease', :'long_lease', :'long_lease2']::uuid[]) order by 1),
    'all three live leases') from pgqrs.list_workers() l where l.name = 'worker-a';
-- TEST: not an expired lease, a finished workflow, a released one or another worker's
select pgqrs_test.advance_clock('45 seconds') \gset
select is(l.running, array(select unnest(array[:'long_lease', :'long_lease2']::uuid[]) order by 1),
    'the expired lease is left out') from pgqrs.list_workers() l where l.name = 'worker-a';
select is(l.running, array[:'theirs'::uuid], 'worker-b runs its own')
  from pgqrs.list_workers() l where l.name = 'worker-b';

select * from finish();
rollback;
