begin;
select plan(1);

-- As in channels_are_sent_by_the_documented_functions: NOTIFY is delivered only at commit and
-- every test rolls back, so this checks the source.

-- TEST: set_event sends pgqrs_event tagged with 'event:<workflow id> <key>', after recording the
-- step (a replay returns before it and sends nothing)
select ok(
    (select p.prosrc from pg_proc p
      where p.oid = 'pgqrs.set_event(uuid, text, bigint, integer, text, jsonb)'::regprocedure)
        ~ 'if v_step\.status = ''SUCCESS'' then\s+return;\s+end if;.*pgqrs\._notify\(''pgqrs_event'', ''event:'' \|\| p_workflow_id::text \|\| '' '' \|\| p_key\);',
    '_notify(''pgqrs_event'', ''event:'' || id || '' '' || key), not on a replay');

select * from finish();
rollback;
