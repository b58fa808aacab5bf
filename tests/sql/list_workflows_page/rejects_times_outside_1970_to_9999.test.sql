begin;
select plan(7);

select pgqrs_test.new_workflow() as workflow_id \gset

-- TEST: a cursor time or a created_after outside [1970-01-01, 9999-01-01), or infinite, raises
-- PQ008
select throws_ok(format('select * from pgqrs.list_workflows_page(p_before_created_at => %L, p_before_id => %L)',
                        t, :'workflow_id'),
                 'PQ008', null, 'cursor ' || t || ': PQ008')
  from unnest(array['infinity', '1969-12-31 23:59:59+00', '9999-01-01 00:00:00+00']) t;
select throws_ok(format('select * from pgqrs.list_workflows_page(p_created_after => %L)', t),
                 'PQ008', null, 'created_after ' || t || ': PQ008')
  from unnest(array['-infinity', '1969-12-31 23:59:59+00', '9999-01-01 00:00:00+00']) t;
-- TEST: the bounds are accepted
select lives_ok(format('select * from pgqrs.list_workflows_page(p_before_created_at => %L, p_before_id => %L, p_created_after => %L)',
                       '9998-12-31 23:59:59+00', :'workflow_id', '1970-01-01 00:00:00+00'),
    '1970 and 9998');

select * from finish();
rollback;
