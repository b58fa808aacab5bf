begin;
select plan(5);

select pgqrs_test.dead_workflow('{"order": 7}') as wf \gset
select lease_token as dead_token from pgqrs_test.workflow(:'wf') \gset
select pgqrs.revive_workflow(:'wf') \gset
create temp table claimed as select * from pgqrs.claim_workflows('worker-dead');

-- TEST: a worker claims a revived workflow at once, as a fresh start (not a recovery)
select is(c.workflow_id, :'wf'::uuid, 'claimed') from claimed c;
select is(c.recovered, false, 'recovered is false') from claimed c;
select is(c.token, :dead_token::bigint + 1, 'the next token') from claimed c;
select is(c.input, '{"order": 7}'::jsonb, 'its input') from claimed c;
select is(w.recoveries, 0, 'recoveries 0') from pgqrs_test.workflow(:'wf') w;

select * from finish();
rollback;
