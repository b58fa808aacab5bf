begin;
select plan(1);

select pgqrs_test.worker('worker-a', array['wf']) \gset
set local synchronous_commit = off;
select count(*) as claimed from pgqrs.claim_workflows('worker-a') \gset

-- TEST: claim_workflows commits durably whatever the session's setting: a grant lost in a
-- crash could hand the same token out twice
select is(current_setting('synchronous_commit'), 'on', 'synchronous_commit is on');

select * from finish();
rollback;
