begin;
select plan(3);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select pgqrs.suspend_workflow(:'workflow_id', :token, :'t0'::timestamptz + interval '1 hour');
create temp table before as select * from pgqrs.workflows w where w.id = :'workflow_id';

-- TEST: the same call again (a client retrying after a lost answer) succeeds ...
select lives_ok(format('select pgqrs.suspend_workflow(%L, %s, %L)', :'workflow_id', :token,
                       (:'t0'::timestamptz + interval '1 hour')::text), 'repeat lives');
-- TEST: ... and changes nothing
select is((select w.lease_token from pgqrs.workflows w where w.id = :'workflow_id'),
          (select b.lease_token from before b), 'token unchanged');
-- TEST: once someone has taken the workflow since, the old token is fenced out again
select pgqrs_test.takeover(:'workflow_id', 'runner-b') as new_token \gset
select throws_ok(format('select pgqrs.suspend_workflow(%L, %s, now())', :'workflow_id', :token),
    'PQ003', null, 'stale after a takeover');

select * from finish();
rollback;
