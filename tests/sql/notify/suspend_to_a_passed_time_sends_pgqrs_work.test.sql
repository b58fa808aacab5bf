begin;
select plan(1);

-- As in channels_are_sent_by_the_documented_functions: NOTIFY is delivered only at commit and
-- every test rolls back, so this checks the source.

-- TEST: suspend_workflow sends pgqrs_work (tagged with the name) when p_until has already
-- passed, so an idle worker claims the workflow at once; a future p_until is found by
-- next_claim_at
select ok(
    (select p.prosrc from pg_proc p
      where p.oid = 'pgqrs.suspend_workflow(uuid, bigint, timestamptz)'::regprocedure)
        ~ 'if p_until <= v_now then\s+perform pgqrs\._notify\(''pgqrs_work'', ''work:'' \|\| v_name\);',
    'pgqrs_work for the name when p_until <= now');

select * from finish();
rollback;
