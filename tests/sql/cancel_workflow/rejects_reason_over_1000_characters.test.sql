begin;
select plan(3);

select pgqrs_test.new_workflow() as wf \gset

-- TEST: a reason over 1000 characters raises PQ008 and cancels nothing ...
select throws_ok(format('select pgqrs.cancel_workflow(%L, %L)', :'wf', repeat('x', 1001)),
    'PQ008', null, '1001 characters: PQ008');
select is(w.status, 'PENDING', 'still PENDING') from pgqrs_test.workflow(:'wf') w;
-- TEST: ... 1000 characters are fine
select is(pgqrs.cancel_workflow(:'wf', repeat('x', 1000)), true, '1000 characters: cancelled');

select * from finish();
rollback;
