begin;
select plan(4);

select pgqrs_test.new_workflow() as pending \gset
select * from pgqrs_test.running_workflow() as r(running, running_token) \gset
select * from pgqrs_test.running_workflow() as r(done, done_token) \gset
select pgqrs.complete_workflow(:'done', :done_token, '"ok"') \gset

-- TEST: only FAILED, DEAD and CANCELLED workflows resume: PQ005 for the others ...
select throws_ok(format('select pgqrs.resume_workflow(%L)', :'pending'), 'PQ005', null, 'PENDING: PQ005');
select throws_ok(format('select pgqrs.resume_workflow(%L)', :'running'), 'PQ005', null, 'RUNNING: PQ005');
select throws_ok(format('select pgqrs.resume_workflow(%L)', :'done'), 'PQ005', null, 'SUCCESS: PQ005');
-- TEST: ... and the running holder keeps its lease
select is(w.lease_token, :running_token::bigint, 'the token is unchanged') from pgqrs_test.workflow(:'running') w;

select * from finish();
rollback;
