begin;
select plan(3);

select * from pgqrs_test.running_workflow() \gset
-- 0.1.0's acquire_step begins a step without a position
select status from pgqrs.acquire_step(:'workflow_id', 'fetch', :token) \gset
select pgqrs.record_step(:'workflow_id', 'fetch', :token, 1, '"rows"') \gset

-- TEST: the begun step is completed and gets the position it was recorded at
select is(s.status, 'SUCCESS', 'SUCCESS') from pgqrs_test.step(:'workflow_id', 'fetch') s;
select is(s.position, 1, 'position 1 is stored') from pgqrs_test.step(:'workflow_id', 'fetch') s;
-- TEST: so the replay guard now keeps position 1 for it
select throws_ok(
    format('select pgqrs.record_step(%L, %L, %s, 1, %L)', :'workflow_id', 'other', :token, '1'),
    'PQ010', null, 'another key at position 1: PQ010');

select * from finish();
rollback;
