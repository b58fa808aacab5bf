begin;
select plan(2);

-- As in channels_are_sent_by_the_documented_functions: NOTIFY is delivered only at commit and
-- every test rolls back, so this checks the sources.

-- TEST: every cancellation goes through _cancel_tree, which sends pgqrs_done, tagged with
-- 'done:' and the id, for the root and every descendant it cancelled
select ok(
    (select p.prosrc from pg_proc p
      where p.oid = 'pgqrs._cancel_tree(uuid, jsonb, timestamptz)'::regprocedure)
        ~ 'foreach v_id in array v_done loop\s+perform pgqrs\._notify\(''pgqrs_done'', ''done:'' \|\| v_id::text\);',
    '_cancel_tree sends pgqrs_done for each cancelled workflow');
-- TEST: cancel_workflow, the deadline in acquire_workflow and claim, and the deferred cancels
-- call _cancel_tree
select set_eq(
    $$select p.proname::text from pg_proc p
       where p.pronamespace = 'pgqrs'::regnamespace and p.prosrc ~ 'pgqrs\._cancel_tree\('$$,
    $$values ('cancel_workflow'), ('acquire_workflow'), ('claim'), ('_apply_deferred')$$,
    'the callers of _cancel_tree');

select * from finish();
rollback;
