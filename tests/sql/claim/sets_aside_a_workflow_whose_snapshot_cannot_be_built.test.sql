begin;
select plan(8);

-- A workflow whose snapshot cannot be built, then a fresh one: the first is RUNNING (released
-- back to the queue with a finished step), so a claim builds its snapshot.
select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.claimed_workflow('worker-a') as c(broken, broken_token) \gset
select pgqrs.record_step(:'broken', 'fetch', :broken_token, 1, '1') \gset
select pgqrs.release_workflow(:'broken', :broken_token) \gset
select pgqrs_test.advance_clock('1 second') \gset
select pgqrs_test.queued_workflow() as fresh \gset
-- Building the broken one's snapshot fails (the rollback restores the function).
select set_config('pgqrs_test.broken', :'broken', true) \gset
create or replace function pgqrs._finished_steps(p_workflow_id uuid, p_max_bytes bigint)
returns jsonb
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_workflow_id = pg_catalog.current_setting('pgqrs_test.broken')::uuid then
        raise exception 'total size of jsonb object elements exceeds the maximum'
            using errcode = '54000';
    end if;
    return '{}'::jsonb;
end
$$;

-- TEST: the claim does not fail: it sets the broken workflow aside and hands out the next one
select results_eq($$select workflow_id from pgqrs.claim('worker-a', gen_random_uuid(), 2)$$,
                  format('values (%L::uuid)', :'fresh'), 'the fresh workflow is handed out');
-- TEST: the broken one is DEAD with a pgqrs.Unclaimable error that says why ...
select is(w.status, 'DEAD', 'DEAD') from pgqrs_test.workflow(:'broken') w;
select is(w.error ->> 'type', 'pgqrs.Unclaimable', 'pgqrs.Unclaimable') from pgqrs_test.workflow(:'broken') w;
select is(w.error ->> 'message',
          'its replay snapshot could not be built: total size of jsonb object elements exceeds the maximum',
          'the reason') from pgqrs_test.workflow(:'broken') w;
-- TEST: ... its lease ended (no owner, token moved on) and its steps are kept
select is(w.lease_owner, null, 'no owner') from pgqrs_test.workflow(:'broken') w;
select is(w.lease_token, :broken_token::bigint + 2, 'token: + 1 for the release, + 1 set aside')
  from pgqrs_test.workflow(:'broken') w;
select is(pgqrs_test.step_count(:'broken'), 1::bigint, 'its step is kept');
-- TEST: it is not claimed again
select pgqrs_test.advance_clock('1 hour') \gset
select is_empty(format('select * from pgqrs.claim(%L, gen_random_uuid(), 10) where workflow_id = %L',
                       'worker-a', :'broken'),
    'not claimed later');

select * from finish();
rollback;
