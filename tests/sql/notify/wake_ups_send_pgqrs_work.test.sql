begin;
select plan(3);

-- As in channels_are_sent_by_the_documented_functions: NOTIFY is delivered only at commit and
-- every test rolls back, so this checks the sources.

-- TEST: _wake_waiters announces each workflow it makes available with pgqrs_work (its name)
select ok(
    (select p.prosrc from pg_proc p
      where p.oid = 'pgqrs._wake_waiters(text, uuid, timestamptz)'::regprocedure)
        ~ 'returning w\.name\s+loop\s+perform pg_catalog\.pg_notify\(''pgqrs_work'', v_name\);',
    '_wake_waiters: pg_notify(''pgqrs_work'', name) per woken workflow');
-- TEST: it is called by send_message (the addressee only, on message:<topic>) ...
select ok(
    (select p.prosrc from pg_proc p
      where p.oid = 'pgqrs.send_message(uuid, text, jsonb, text)'::regprocedure)
        ~ 'pgqrs\._wake_waiters\(''message:'' \|\| p_topic, p_workflow_id, v_now\)',
    'send_message wakes the receiver of its topic');
-- TEST: ... and, on workflow:<id>, by everything that finishes a workflow: _finish_workflow
-- (complete and fail), _cancel (cancel and deadlines) and claim_workflows (DEAD)
select set_eq(
    $$select p.proname::text from pg_proc p
       where p.pronamespace = 'pgqrs'::regnamespace
         and p.prosrc ~ 'pgqrs\._wake_waiters\(''workflow:'' \|\| [a-z_.]+::text, null, [vp]_now\)'$$,
    $$values ('_finish_workflow'), ('_cancel'), ('claim_workflows')$$,
    'the callers that wake workflow:<id> waiters');

select * from finish();
rollback;
