begin;
select plan(3);

select pgqrs_test.set_clock() \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30, p_name => 'wf-resume-claim') \gset
select pgqrs.fail_workflow(:'workflow_id', :token, '"boom"') \gset
select pgqrs.resume_workflow(:'workflow_id') \gset
create temp table claimed as select * from pgqrs.claim_workflows('worker-a');

-- TEST: a worker claims the resumed workflow at once, with the next token, not as a recovery
select is(c.workflow_id, :'workflow_id'::uuid, 'claimed') from claimed c;
select is(c.token, :token::bigint + 2, 'token + 2 (resume, then grant)') from claimed c;
select is(c.recovered, false, 'not a recovery') from claimed c;

select * from finish();
rollback;
