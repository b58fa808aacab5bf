begin;
select plan(1);

create temp table created_ids (n integer, id uuid);
do $$
begin
    for i in 1..5 loop
        perform pg_sleep(0.002);  -- v7 ids order by millisecond; within one they are random
        insert into created_ids select i, c.workflow_id from pgqrs.create_workflow('wf') c;
    end loop;
end
$$;

-- TEST: ids made a millisecond or more apart sort in creation order
select results_eq(
    'select id from created_ids order by n',
    'select id from created_ids order by id',
    'ordering the ids gives the creation order');

select * from finish();
rollback;
