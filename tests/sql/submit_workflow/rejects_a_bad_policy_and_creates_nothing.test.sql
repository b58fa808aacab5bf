begin;
select plan(7);

-- TEST: a retry policy out of range raises PQ008 ...
select throws_ok($$select pgqrs.submit_workflow('wf-bad-policy', '{}', '{"max_attempts": 0}')$$,
    'PQ008', null, 'max_attempts 0');
select throws_ok($$select pgqrs.submit_workflow('wf-bad-policy', '{}', '{"max_attempts": 1001}')$$,
    'PQ008', null, 'max_attempts 1001');
select throws_ok($$select pgqrs.submit_workflow('wf-bad-policy', '{}', '{"retry_backoff_seconds": 0}')$$,
    'PQ008', null, 'backoff 0');
select throws_ok($$select pgqrs.submit_workflow('wf-bad-policy', '{}',
                   '{"retry_backoff_seconds": 10, "retry_max_backoff_seconds": 5}')$$,
    'PQ008', null, 'max backoff below backoff');
select throws_ok($$select pgqrs.submit_workflow('wf-bad-policy', '{}', '{"retry_backoff_seconds": "NaN"}')$$,
    'PQ008', null, 'backoff NaN');
select throws_ok($$select pgqrs.submit_workflow('wf-bad-policy', '{}', '{"max_recoveries": -1}')$$,
    'PQ008', null, 'max_recoveries -1');
-- TEST: ... and creates nothing
select is((select count(*) from pgqrs.workflows where name = 'wf-bad-policy'), 0::bigint, 'nothing created');

select * from finish();
rollback;
