begin;
select plan(1);

select pgqrs_test.new_workflow() as wf \gset

-- TEST: a workflow that was never acquired has no token to begin steps with: PQ005
select throws_ok(format('select pgqrs.begin_step(%L, %L, 0, 1)', :'wf', 'fetch'),
    'PQ005', null, 'PQ005');

select * from finish();
rollback;
