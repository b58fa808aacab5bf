begin;
select plan(2);

select pgqrs_test.set_clock() \gset
select pgqrs_test.worker('wq-rr-a', array['wf']) \gset
select pgqrs.set_queue('cq-rr', '{"key_concurrency": 1}') \gset
-- Key a queues five workflows first, then keys b and c two each.
create temp table queued (id uuid, key text);
insert into queued
select pgqrs_test.in_queue('cq-rr', jsonb_build_object('concurrency_key', k)), k
  from (select k, pgqrs_test.advance_clock('1 ms')
          from unnest(array['a', 'a', 'a', 'a', 'a', 'b', 'b', 'c', 'c']) with ordinality u (k, n)
         order by n) x;
create temp table served (n serial, key text);
do $$
declare
    v_ids uuid[];
begin
    for v_turn in 1..10 loop
        perform pgqrs_test.advance_clock('1 second');
        v_ids := pgqrs_test.claim_ids('wq-rr-a', 1);
        insert into served (key) select q.key from queued q where q.id = any (v_ids);
        perform pgqrs_test.complete(v_ids[1]);
    end loop;
end
$$;

-- TEST: one claim at a time, the keys take turns: the busy key that came first does not take
-- the claims of the others
select is(array_agg(key order by n), array['a', 'b', 'c', 'a', 'b', 'c', 'a', 'a', 'a'],
          'a, b, c, a, b, c, then the rest of a') from served;
-- TEST: keys without work left go away
select is((select count(*) from pgqrs.queue_keys where queue = 'cq-rr'), 0::bigint, 'no key rows left');

select * from finish();
rollback;
