begin;
select plan(1);

create temp table created_ids (n integer, id uuid);
do $$
begin
    for i in 1..4 loop
        perform pg_sleep(0.002);  -- v7 ids order by millisecond; within one they are random
        insert into created_ids select i, pgqrs_test.new_workflow('wf');
    end loop;
end
$$;

-- TEST: list_workflows returns the newest workflows first
select results_eq(
    'select id from pgqrs.list_workflows()',
    'select id from created_ids order by n desc',
    'newest first');

select * from finish();
rollback;
