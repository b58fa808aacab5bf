begin;
select plan(5);

-- A workflow and a worker to call the API on, made by the test's superuser session.
select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.worker('worker-a', array['wf']) \gset
select pgqrs_test.tables_digest() as before \gset
select pgqrs_test.app_role('pgqrs_test_clock_app') \gset
-- The application's own login: session_user changes (SET ROLE would not change it).
set local session authorization pgqrs_test_clock_app;

-- TEST: setup: the session's login role is the application role, neither a superuser nor a
-- member of the schema owner
select is(session_user::text, 'pgqrs_test_clock_app', 'session_user is the application role');
-- TEST: without pgqrs.fake_now the role reads the real clock
select ok(pgqrs.now() between now() and clock_timestamp(), 'the real clock');

-- TEST: with pgqrs.fake_now set, pgqrs.now() raises 42501 instead of moving the clock ...
select set_config('pgqrs.fake_now', '2099-01-01 00:00:00+00', true) \gset
select is(e.code || ' ' || e.message, '42501 pgqrs: role pgqrs_test_clock_app may not set pgqrs.fake_now',
          'pgqrs.now(): 42501')
  from pgqrs_test.error_of('select pgqrs.now()') e;
-- TEST: ... and so does every API function that reads the clock, whatever it does
create temp table clock_calls (sql text);
insert into clock_calls values
    ($$select pgqrs.create_workflow('wf-clock', '{}')$$),
    ($$select pgqrs.start_workflow('wf-clock', '{}')$$),
    ($$select pgqrs.submit_workflow('wf-clock', '{}')$$),
    (format($$select pgqrs.acquire_workflow(%L, 'runner-b')$$, :'workflow_id')),
    (format('select pgqrs.heartbeat(%L, %s)', :'workflow_id', :token)),
    (format('select pgqrs.release_workflow(%L, %s)', :'workflow_id', :token)),
    (format($$select pgqrs.suspend_workflow(%L, %s, '2030-01-01')$$, :'workflow_id', :token)),
    (format($$select pgqrs.begin_step(%L, 'fetch', %s, 1)$$, :'workflow_id', :token)),
    (format($$select pgqrs.record_step(%L, 'fetch', %s, 1, '1')$$, :'workflow_id', :token)),
    (format($$select pgqrs.complete_step(%L, 'fetch', %s, '1')$$, :'workflow_id', :token)),
    (format($$select pgqrs.complete_workflow(%L, %s, '1')$$, :'workflow_id', :token)),
    (format($$select pgqrs.sleep_step(%L, 'nap', %s, 1, p_seconds => 1)$$, :'workflow_id', :token)),
    (format($$select pgqrs.send_message(%L, 'orders', '1')$$, :'workflow_id')),
    (format('select pgqrs.cancel_workflow(%L)', :'workflow_id')),
    (format('select pgqrs.fork_workflow(%L)', :'workflow_id')),
    ($$select pgqrs.claim('worker-a', gen_random_uuid())$$),
    ($$select pgqrs.claim_workflows('worker-a')$$),
    ($$select pgqrs.worker_heartbeat('worker-a')$$),
    ($$select pgqrs.register_worker('worker-b', array['wf'])$$),
    ($$select pgqrs.list_workers()$$),
    ($$select pgqrs.workflow_counts()$$);
select is_empty($$select c.sql, e.code from clock_calls c, pgqrs_test.error_of(c.sql) e
                   where e.code is distinct from '42501'$$,
    'every call raises 42501');

reset session authorization;
-- TEST: none of them wrote anything
select is(pgqrs_test.tables_digest(), :'before', 'nothing written');

select * from finish();
rollback;
