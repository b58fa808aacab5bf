begin;
select plan(14);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.claimed_workflow('worker-a', 30, p_name => 'wf-sleep-suspend') \gset
select pgqrs_test.advance_clock('5 seconds') as t1 \gset
create temp table slept as
    select * from pgqrs.sleep_step(:'workflow_id', 'nap', :token, 1, p_seconds => 600,
                                   p_inline_seconds => 5);

-- TEST: a sleep longer than p_inline_seconds answers SUSPENDED with its wake time
select results_eq('select status, wake_at, remaining from slept',
    format($$values ('SUSPENDED'::text, %L::timestamptz, 600::float8)$$,
           :'t1'::timestamptz + interval '10 minutes'),
    'SUSPENDED until now + 600 seconds');
-- TEST: the lease is given up: RUNNING, no owner, no expiry, token + 1, not a recovery
select is(w.status, 'RUNNING', 'still RUNNING') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_owner, null, 'no owner') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_expires_at, null, 'no expiry') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.lease_token, :token::bigint + 1, 'token + 1') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.recoveries, 0, 'not a recovery') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: queued, available at the wake time, waiting for nothing but the clock
select is(w.queued, true, 'queued') from pgqrs_test.workflow(:'workflow_id') w;
select is(w.available_at, :'t1'::timestamptz + interval '10 minutes', 'available_at is the wake time')
  from pgqrs_test.workflow(:'workflow_id') w;
select is(w.waiting_for, null, 'waiting_for is NULL') from pgqrs_test.workflow(:'workflow_id') w;
-- TEST: the suspended token is fenced out
select throws_ok(format('select pgqrs.heartbeat(%L, %s)', :'workflow_id', :token), 'PQ003', null,
    'heartbeat with the old token: PQ003');
-- TEST: no worker claims it before the wake time ...
select pgqrs_test.set_clock(:'t1'::timestamptz + interval '10 minutes' - interval '1 second') \gset
select is_empty($$select * from pgqrs.claim_workflows('worker-a')$$, 'not one second early');
-- TEST: ... and one does from the wake time on, with token + 2, not as a recovery
select pgqrs_test.set_clock(:'t1'::timestamptz + interval '10 minutes') \gset
create temp table claimed as select * from pgqrs.claim_workflows('worker-a');
select is(c.workflow_id, :'workflow_id'::uuid, 'claimed at the wake time') from claimed c;
select is(c.token, :token::bigint + 2, 'token + 2 (suspend, then grant)') from claimed c;
select is(c.recovered, false, 'not recovered') from claimed c;

select * from finish();
rollback;
