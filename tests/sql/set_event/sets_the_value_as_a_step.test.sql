begin;
select plan(7);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a', 600) \gset
select pgqrs_test.advance_clock('1 second') as t1 \gset
select pgqrs.set_event(:'workflow_id', 'publish', :token, 1, 'progress', '{"pct": 50}') \gset

-- TEST: get_event returns the value set, found, with its time
select results_eq(format($$select found, value, set_at from pgqrs.get_event(%L, 'progress')$$, :'workflow_id'),
    format($$values (true, '{"pct": 50}'::jsonb, %L::timestamptz)$$, :'t1'), 'found, the value, set now');
-- TEST: the call is recorded as a finished step at its position
select is(s.status, 'SUCCESS', 'SUCCESS') from pgqrs_test.step(:'workflow_id', 'publish') s;
select is(s.output, '{"key": "progress"}'::jsonb, 'output {"key": ...}') from pgqrs_test.step(:'workflow_id', 'publish') s;
select is(s.position, 1, 'at its position') from pgqrs_test.step(:'workflow_id', 'publish') s;
-- TEST: the runner keeps its lease, extended
select is(w.lease_owner, 'runner-a', 'still held') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_expires_at, :'t1'::timestamptz + interval '600 seconds', 'extended') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: a JSON null value is a value that was set
select pgqrs.set_event(:'workflow_id', 'publish-2', :token, 2, 'empty', null) \gset
select results_eq(format($$select found, value from pgqrs.get_event(%L, 'empty')$$, :'workflow_id'),
    $$values (true, null::jsonb)$$, 'found, NULL value');

select * from finish();
rollback;
