begin;
select plan(5);

-- 25 workflows, three per second of the fake clock, so that rows share created_at and only the
-- id orders them; the ids are supplied out of creation order.
do $$
begin
    for i in 1..25 loop
        perform pgqrs_test.set_clock('2030-01-01 00:00:00+00'::timestamptz + (i / 3) * interval '1 second');
        perform pgqrs.create_workflow('wf-page', pg_catalog.jsonb_build_object('i', i),
                                      pg_catalog.md5(((i * 7) % 25)::text)::uuid);
    end loop;
end
$$;

create temp table seen (page integer, pos bigint, id uuid, created_at timestamptz);
insert into seen select 1, p.ordinality, p.id, p.created_at
  from pgqrs.list_workflows_page(p_limit => 10) with ordinality p;
select created_at as c, id as i from seen where page = 1 order by pos desc limit 1 \gset
insert into seen select 2, p.ordinality, p.id, p.created_at
  from pgqrs.list_workflows_page(p_limit => 10, p_before_created_at => :'c', p_before_id => :'i') with ordinality p;
select created_at as c, id as i from seen where page = 2 order by pos desc limit 1 \gset
insert into seen select 3, p.ordinality, p.id, p.created_at
  from pgqrs.list_workflows_page(p_limit => 10, p_before_created_at => :'c', p_before_id => :'i') with ordinality p;
select created_at as c, id as i from seen where page = 3 order by pos desc limit 1 \gset

-- TEST: setup: some workflows share their creation time
select ok((select count(distinct created_at) from pgqrs.workflows) < 25, 'shared creation times');
-- TEST: pages of 10 hold 10, 10 and 5 rows ...
select results_eq('select page, count(*) from seen group by page order by page',
                  $$values (1, 10::bigint), (2, 10::bigint), (3, 5::bigint)$$, '10, 10, 5');
-- TEST: ... and chained, they list every workflow once, newest first (by created_at, then id)
select results_eq('select id from seen order by page, pos',
                  'select id from pgqrs.workflows order by created_at desc, id desc',
                  'every workflow once, newest first');
select is((select count(distinct id) from seen), 25::bigint, 'no repeats');
-- TEST: the page after the last one is empty
select is_empty(format('select * from pgqrs.list_workflows_page(p_limit => 10, p_before_created_at => %L, p_before_id => %L)',
                       :'c', :'i'),
    'nothing after the last page');

select * from finish();
rollback;
