begin;
select plan(3);

select count(pgqrs_test.new_workflow('wf')) as made from generate_series(1, 60) \gset

-- TEST: at most p_limit rows, 50 by default
select is((select count(*) from pgqrs.list_workflows()), 50::bigint, '50 by default');
select is((select count(*) from pgqrs.list_workflows(p_limit => 3)), 3::bigint, 'p_limit 3');
select is((select count(*) from pgqrs.list_workflows(p_limit => 10000)), 60::bigint, 'all 60 under 10000');

select * from finish();
rollback;
