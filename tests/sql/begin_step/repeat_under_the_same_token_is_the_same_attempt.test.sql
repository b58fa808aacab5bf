begin;
select plan(4);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a') \gset
select attempt as first_attempt from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 2, 10, 60) \gset
create temp table again as select * from pgqrs.begin_step(:'workflow_id', 'fetch', :token, 1, 2, 10, 60);

-- TEST: a repeat of begin_step under the same lease (a lost answer) answers EXECUTE again ...
select is(a.status, 'EXECUTE', 'EXECUTE') from again a;
-- TEST: ... with the same attempt, so it uses up no retry and records no abandoned attempt
select is(a.attempt, :first_attempt, 'same attempt') from again a;
select is((select count(*) from pgqrs.step_attempts a where a.workflow_id = :'workflow_id'), 0::bigint,
    'no step_attempts row');
select is(f.status, 'RETRYING', 'one failure still leaves the second attempt')
  from pgqrs.fail_step_attempt(:'workflow_id', 'fetch', :token, '{"type": "E", "message": "x"}') f;

select * from finish();
rollback;
