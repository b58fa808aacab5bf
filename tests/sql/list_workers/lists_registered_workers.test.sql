begin;
select plan(2);

select pgqrs_test.set_clock() as t0 \gset
select pgqrs.register_worker('worker-a', array['wf', 'report'], 4, 'host-1', 11) \gset
select pgqrs.register_worker('worker-b', array['report'], 2, 'host-2', 22) \gset

-- TEST: one row per registered worker, by name, with what it serves and its heartbeat
select results_eq(
    $$select name, hostname, pid, workflows, concurrency, started_at, heartbeat_at, stopped_at,
             alive, running
        from pgqrs.list_workers()$$,
    format($$values ('worker-a', 'host-1', 11, array['wf', 'report'], 4, %1$L::timestamptz,
                     %1$L::timestamptz, null::timestamptz, true, '{}'::uuid[]),
                    ('worker-b', 'host-2', 22, array['report'], 2, %1$L::timestamptz,
                     %1$L::timestamptz, null::timestamptz, true, '{}'::uuid[])$$, :'t0'),
    'both workers, alive, running nothing');
-- TEST: no worker, no row
select is_empty($$select * from pgqrs.list_workers() where name = 'nobody'$$, 'only registered names');

select * from finish();
rollback;
