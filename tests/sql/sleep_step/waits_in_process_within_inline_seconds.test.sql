begin;
select plan(9);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow('runner-a', 30) \gset
select pgqrs_test.advance_clock('10 seconds') as t1 \gset
create temp table slept as
    select * from pgqrs.sleep_step(:'workflow_id', 'nap', :token, 1, p_seconds => 4,
                                   p_inline_seconds => 5);

-- TEST: a sleep that ends within p_inline_seconds answers WAIT with the seconds remaining
select results_eq('select status, wake_at, remaining from slept',
    format($$values ('WAIT'::text, %L::timestamptz, 4::float8)$$, :'t1'::timestamptz + interval '4 seconds'),
    'WAIT, wake_at, remaining 4');
-- TEST: the lease is kept (same owner and token, not queued) and extended by its length
select is(w.lease_owner, 'runner-a', 'same owner') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_token, :token::bigint, 'same token') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.queued, false, 'not queued') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_expires_at, :'t1'::timestamptz + interval '30 seconds', 'lease extended from now')
  from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: the step stays WAITING
select is(s.status, 'WAITING', 'WAITING') from pgqrs_test.step(:'workflow_id', 'nap') s;
-- TEST: calling again later answers WAIT with what remains of the same sleep, up to the
-- boundary (remaining = p_inline_seconds is still WAIT) ...
select pgqrs_test.advance_clock('3 seconds') \gset
select results_eq(
    format($$select status, remaining from pgqrs.sleep_step(%L, 'nap', %s, 1, p_seconds => 4, p_inline_seconds => 5)$$,
           :'workflow_id', :token),
    $$values ('WAIT'::text, 1::float8)$$, 'WAIT, 1 second left');
select results_eq(
    format($$select status, remaining from pgqrs.sleep_step(%L, 'nap', %s, 1, p_seconds => 4, p_inline_seconds => 1)$$,
           :'workflow_id', :token),
    $$values ('WAIT'::text, 1::float8)$$, 'remaining = inline seconds: WAIT');
-- TEST: ... and SUSPENDED when what remains exceeds p_inline_seconds
select results_eq(
    format($$select status, remaining from pgqrs.sleep_step(%L, 'nap', %s, 1, p_seconds => 4, p_inline_seconds => 0.5)$$,
           :'workflow_id', :token),
    $$values ('SUSPENDED'::text, 1::float8)$$, 'remaining > inline seconds: SUSPENDED');

select * from finish();
rollback;
