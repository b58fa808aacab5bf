begin;
select plan(6);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a', 30) \gset
create temp table waited as
    select * from pgqrs.recv_message(:'workflow_id', 'recv', :token, 1, 'orders',
                                     p_timeout_seconds => 5, p_inline_seconds => 5);

-- TEST: nothing queued and the deadline within p_inline_seconds: WAIT with the seconds left
select results_eq('select status, message, remaining from waited',
    $$values ('WAIT'::text, null::jsonb, 5::float8)$$, 'WAIT, 5 seconds left');
-- TEST: the lease is kept and extended; the workflow is not queued and waits for nothing
select pgqrs_test.advance_clock('2 seconds') as t1 \gset
select results_eq(
    format($$select status, remaining from pgqrs.recv_message(%L, 'recv', %s, 1, 'orders', 5, 5)$$, :'workflow_id', :token),
    $$values ('WAIT'::text, 3::float8)$$, 'WAIT, 3 seconds left');
select results_eq(format('select lease_owner, lease_token, lease_expires_at, queued, waiting_for from pgqrs.workflows where id = %L', :'workflow_id'),
    format($$values ('runner-a'::text, %s::bigint, %L::timestamptz, false, null::text)$$, :token, :'t1'::timestamptz + interval '30 seconds'),
    'lease kept and extended, not queued');
-- TEST: no timeout and inline seconds: SUSPENDED (nothing ends the wait within them)
select results_eq(
    format($$select status, remaining from pgqrs.recv_message(%L, 'recv-other', %s, 2, 'refunds', null, 3600)$$, :'workflow_id', :token),
    $$values ('SUSPENDED'::text, null::float8)$$, 'no timeout: SUSPENDED');
-- TEST: at the deadline (after the runner slept in process) the receive records TIMEOUT
select pgqrs_test.set_clock(:'t0'::timestamptz + interval '5 seconds') \gset
select workflow_id as wf2, token as token2 from pgqrs_test.running_workflow('runner-b', 30) \gset
select status from pgqrs.recv_message(:'wf2', 'recv', :token2, 1, 'orders', 1, 5) \gset
select pgqrs_test.advance_clock('1 second') \gset
select results_eq(
    format($$select status from pgqrs.recv_message(%L, 'recv', %s, 1, 'orders', 1, 5)$$, :'wf2', :token2),
    $$values ('TIMEOUT'::text)$$, 'TIMEOUT after the inline wait');
select is(s.output, '{"timeout": true}'::jsonb, 'recorded') from pgqrs_test.step(:'wf2', 'recv') s;

select * from finish();
rollback;
