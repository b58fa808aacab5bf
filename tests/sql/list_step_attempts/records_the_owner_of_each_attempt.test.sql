begin;
select plan(1);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30, p_name => 'wf-attempt-owner') \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 3, 1, 1) \gset
select status from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :token, '"e1"') \gset
-- worker-a dies; runner-b takes the workflow over and runs the next attempt.
select pgqrs_test.takeover(:'workflow_id', 'runner-b') as new_token \gset
select status from pgqrs.begin_step(:'workflow_id', 'fetch', :new_token, 1, 3, 1, 1) \gset
select status from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :new_token, '"e2"') \gset

-- TEST: each attempt names the lease owner that ran it
select results_eq(
    format('select attempt, owner from pgqrs.list_step_attempts(%L)', :'workflow_id'),
    $$values (1, 'worker-a'), (2, 'runner-b')$$, 'worker-a, then runner-b');

select * from finish();
rollback;
