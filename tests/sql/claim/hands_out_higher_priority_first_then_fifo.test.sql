begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-prio-a', array['wf-prio-d']) \gset
select pgqrs_test.worker('wq-prio-b', array['wf-prio-q']) \gset
select pgqrs.set_queue('cq-prio', '{"concurrency": 100}') \gset
-- Queued one after the other (1 ms apart): priorities 0, 5, -3, 5, 0, 1000, -1000.
create temp table queued (n int, id uuid, queue text);
insert into queued
select n::int, pgqrs_test.in_queue(q, jsonb_build_object('priority', p), to_jsonb(n), case q when 'default' then 'wf-prio-d' else 'wf-prio-q' end), q
  from (values ('default'), ('cq-prio')) qs (q),
       lateral (select n, p, pgqrs_test.advance_clock('1 ms')
                  from unnest(array[0, 5, -3, 5, 0, 1000, -1000]) with ordinality u (p, n)) x;

-- TEST: the default queue hands out the highest priority first, FIFO within a priority
select is((select array_agg(q.n order by c.k)
             from unnest((select array_agg(id) from (select unnest(pgqrs_test.claim_ids('wq-prio-a', 1)) id
                                                       from generate_series(1, 7)) x)) with ordinality c (id, k)
             join queued q on q.id = c.id and q.queue = 'default'),
          array[6, 2, 4, 1, 5, 3, 7], 'default queue: 1000, 5, 5, 0, 0, -3, -1000');
-- TEST: so does a queue with limits
select is((select array_agg(q.n order by c.k)
             from unnest((select array_agg(id) from (select unnest(pgqrs_test.claim_ids('wq-prio-b', 1)) id
                                                       from generate_series(1, 7)) x)) with ordinality c (id, k)
             join queued q on q.id = c.id and q.queue = 'cq-prio'),
          array[6, 2, 4, 1, 5, 3, 7], 'limited queue: the same order');

select * from finish();
rollback;
