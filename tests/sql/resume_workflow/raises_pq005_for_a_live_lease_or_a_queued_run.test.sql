begin;
select plan(5);

select pgqrs_test.set_clock() \gset
-- An inline run with a live lease; a worker's run (queued) whose lease expired; a workflow
-- suspended until later (queued, no lease).
select * from pgqrs_test.running_workflow('runner-a', 600) as r(inline_live, inline_token) \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30) as c(claimed, claimed_token) \gset
select * from pgqrs_test.running_workflow('runner-a', 600) as r(suspended, suspended_token) \gset
select pgqrs.suspend_workflow(:'suspended', :suspended_token, pgqrs.now() + interval '1 day') \gset
select pgqrs_test.advance_clock('60 seconds') \gset
select pgqrs_test.tables_digest() as before \gset

-- TEST: an inline run whose runner still holds a live lease is not abandoned: PQ005
select throws_ok(format('select pgqrs.resume_workflow(%L)', :'inline_live'), 'PQ005', null, 'live lease: PQ005');
-- TEST: a queued run is the workers' already, lease expired or not: PQ005
select is(w.lease_expires_at < pgqrs.now(), true, 'setup: the claimed run''s lease expired') from pgqrs_test.workflow(:'claimed') w;
select throws_ok(format('select pgqrs.resume_workflow(%L)', :'claimed'), 'PQ005', null, 'claimed: PQ005');
select throws_ok(format('select pgqrs.resume_workflow(%L)', :'suspended'), 'PQ005', null, 'suspended: PQ005');
-- TEST: and nothing changes
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');

select * from finish();
rollback;
