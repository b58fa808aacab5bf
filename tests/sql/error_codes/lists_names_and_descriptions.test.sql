begin;
select plan(2);

-- TEST: the codes, their names (which clients map to exceptions), and a description for each
select results_eq(
    'select sqlstate, name from pgqrs.error_codes() order by sqlstate',
    $$values ('PQ001', 'workflow_not_found'), ('PQ002', 'workflow_busy'), ('PQ003', 'lease_lost'),
             ('PQ004', 'step_failed'), ('PQ005', 'invalid_state'), ('PQ006', 'idempotency_conflict'),
             ('PQ007', 'payload_too_large'), ('PQ008', 'invalid_argument'),
             ('PQ009', 'worker_not_found'), ('PQ010', 'workflow_code_changed'),
             ('PQ011', 'workflow_cancelled'), ('PQ012', 'step_timed_out'),
             ('PQ013', 'value_too_deep')$$,
    'PQ001..PQ013 with their names');
select is_empty($$select sqlstate from pgqrs.error_codes() where coalesce(description, '') = ''$$,
    'every code has a description');

select * from finish();
rollback;
