begin;
select plan(3);

-- 17 finished steps of 1,000,000 bytes each: 17 MB of values, past acquire_workflow's 16 MiB.
select pgqrs_test.set_clock() \gset
select * from pgqrs_test.running_workflow('runner-a', 600) \gset
select count(*) as recorded
  from (select pgqrs.record_step(:'workflow_id', 's' || i, :token, i, pgqrs_test.big_string(1000000))
          from generate_series(1, 17) i) r \gset

-- TEST: acquire_workflow never fails because a workflow is large: its snapshot holds the steps
-- in run order up to 16 MiB of values, and "#more": true says that the rest was left out
create temp table acquired as
    select a.status, (select array_agg(k order by k) from jsonb_object_keys(a.steps) k) as keys,
           a.steps -> '#more' as more
      from pgqrs.acquire_workflow(:'workflow_id', 'runner-a', 600) a;
select is(status, 'RUNNING', 'acquired') from acquired;
select is(keys, array['#more'] || array(select 's' || i from generate_series(1, 16) i order by 1),
          's1 to s16 and #more') from acquired;
select is(more, 'true'::jsonb, '"#more": true') from acquired;

select * from finish();
rollback;
