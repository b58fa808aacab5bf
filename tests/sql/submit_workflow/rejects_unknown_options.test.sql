begin;
select plan(4);

-- TEST: an unknown option raises PQ008 ...
select throws_ok($$select pgqrs.submit_workflow('wf-unknown-opt', '{}', '{"max_attempt": 3}')$$,
    'PQ008', null, 'a misspelt key: PQ008');
-- TEST: ... as do options that are not a JSON object
select throws_ok($$select pgqrs.submit_workflow('wf-unknown-opt', '{}', '[1]')$$,
    'PQ008', null, 'an array: PQ008');
select throws_ok($$select pgqrs.submit_workflow('wf-unknown-opt', '{}', 'null')$$,
    'PQ008', null, 'JSON null: PQ008');
select is((select count(*) from pgqrs.workflows where name = 'wf-unknown-opt'), 0::bigint, 'nothing created');

select * from finish();
rollback;
