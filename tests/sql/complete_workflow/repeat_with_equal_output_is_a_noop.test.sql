begin;
select plan(2);

select pgqrs_test.set_clock() as t0 \gset
select * from pgqrs_test.running_workflow() \gset
select pgqrs.complete_workflow(:'workflow_id', :token, '{"a": 1, "b": 2}') \gset
select pgqrs_test.advance_clock('10 seconds') \gset

-- TEST: completing again with the same token and an equal output succeeds and changes nothing
select lives_ok(
    format('select pgqrs.complete_workflow(%L, %s, %L)', :'workflow_id', :token, '{"b": 2, "a": 1}'),
    'the repeat is accepted');
select is(w.finished_at, :'t0'::timestamptz, 'finished_at is unchanged') from pgqrs_test.workflow(:'workflow_id') w;

select * from finish();
rollback;
