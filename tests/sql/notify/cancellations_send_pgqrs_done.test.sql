begin;
select plan(2);

-- As in channels_are_sent_by_the_documented_functions: NOTIFY is delivered only at commit and
-- every test rolls back, so this checks the sources.

-- TEST: every cancellation goes through _cancel, which sends pgqrs_done with the workflow id
select ok(
    (select p.prosrc from pg_proc p where p.oid = 'pgqrs._cancel(uuid, jsonb, timestamptz)'::regprocedure)
        ~ 'pg_notify\(\s*''pgqrs_done'',\s*p_workflow_id::text\)',
    '_cancel sends pgqrs_done with the id');
-- TEST: cancel_workflow, and the deadline in acquire_workflow and claim_workflows, call _cancel;
-- so does _cancel itself, for the children of a cancelled workflow
select set_eq(
    $$select p.proname::text from pg_proc p
       where p.pronamespace = 'pgqrs'::regnamespace and p.prosrc ~ 'pgqrs\._cancel\('$$,
    $$values ('cancel_workflow'), ('acquire_workflow'), ('claim_workflows'), ('_cancel')$$,
    'the callers of _cancel');

select * from finish();
rollback;
