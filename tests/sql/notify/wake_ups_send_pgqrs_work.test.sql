begin;
select plan(3);

-- As in channels_are_sent_by_the_documented_functions: NOTIFY is delivered only at commit and
-- every test rolls back, so this checks the sources.

-- TEST: _wake_waiters announces each workflow it makes available with pgqrs_work (its name's
-- tag), both when it waits for locks and when it defers the locked ones
select is(
    (select count(*)::integer from pg_proc p,
            regexp_matches(p.prosrc,
                'returning w\.(?:id, w\.)?name\s+loop\s+(?:v_woken := v_woken \|\| v_id;\s+)?perform pgqrs\._notify\(''pgqrs_work'', ''work:'' \|\| v_name\);', 'g')
      where p.oid = 'pgqrs._wake_waiters(text[], uuid, timestamptz, boolean)'::regprocedure),
    2,
    '_wake_waiters: pgqrs_work per woken workflow, in both modes');
-- TEST: it is called by send_message (the addressee only, on message:<topic>, waiting) ...
select ok(
    (select p.prosrc from pg_proc p
      where p.oid = 'pgqrs.send_message(uuid, text, jsonb, text)'::regprocedure)
        ~ 'pgqrs\._wake_waiters\(array\[''message:'' \|\| p_topic\], p_workflow_id, v_now, false\)',
    'send_message wakes the receiver of its topic');
-- TEST: ... and, on workflow:<id>, by everything that finishes a workflow: _finish_workflow
-- (complete and fail: it may wait), _cancel_tree (cancel and deadlines) and _set_aside (DEAD,
-- from a claim): these two never wait
select set_eq(
    $$select p.proname::text || ' ' || m[1] from pg_proc p,
             regexp_matches(p.prosrc, 'pgqrs\._wake_waiters\(\s*array[^;]*''workflow:''[^;]*,\s*(true|false)\)', 'g') m
       where p.pronamespace = 'pgqrs'::regnamespace$$,
    $$values ('_finish_workflow false'), ('_cancel_tree true'), ('_set_aside true')$$,
    'the callers that wake workflow:<id> waiters');

select * from finish();
rollback;
