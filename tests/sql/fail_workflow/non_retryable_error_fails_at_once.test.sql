begin;
select plan(3);

select pgqrs_test.set_clock() as t0 \gset
select workflow_id from pgqrs.submit_workflow('fw_non_retryable', '1',
    '{"queue": false, "max_attempts": 3}') \gset
select token from pgqrs.acquire_workflow(:'workflow_id', 'runner-a') \gset
select pgqrs.fail_workflow(:'workflow_id', :token,
    '{"type": "ValueError", "message": "bad", "traceback": null, "retryable": false}');

-- TEST: an error the client marked "retryable": false fails the workflow for good ...
select is(w.status, 'FAILED', 'FAILED') from pgqrs.workflows w where w.id = :'workflow_id';
-- TEST: ... although attempts were left
select is(w.attempt, 1, 'still attempt 1 of 3') from pgqrs.workflows w where w.id = :'workflow_id';
select is(w.error ->> 'message', 'bad', 'error stored') from pgqrs.workflows w where w.id = :'workflow_id';

select * from finish();
rollback;
