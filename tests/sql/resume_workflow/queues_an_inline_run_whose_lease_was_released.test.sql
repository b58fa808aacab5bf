begin;
select plan(2);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs.release_workflow(:'workflow_id', :token) \gset

-- TEST: an inline run whose runner released its lease (and never came back) is handed to the
-- workers too: queued, available now, the token moved on again
select pgqrs.resume_workflow(:'workflow_id') \gset
select results_eq(
    format('select status, queued, available_at, lease_owner, lease_token from pgqrs.workflows where id = %L', :'workflow_id'),
    format($$values ('RUNNING'::text, true, %L::timestamptz, null::text, %s::bigint)$$, :'t0', :token + 2),
    'RUNNING, queued, available now, token + 2 (release, resume)');
-- TEST: a worker claims it
select pgqrs_test.worker('worker-a', array['wf']) \gset
select results_eq($$select workflow_id from pgqrs.claim('worker-a', gen_random_uuid())$$,
                  format('values (%L::uuid)', :'workflow_id'), 'claimed');

select * from finish();
rollback;
