begin;
select plan(3);

select pgqrs_test.new_workflow() as workflow_id \gset

-- TEST: a cursor is the (created_at, id) of the last row of a page: either half alone raises
-- PQ008, instead of paging from somewhere else
select throws_ok($$select * from pgqrs.list_workflows_page(p_before_created_at => '2030-01-01')$$,
    'PQ008', null, 'created_at only: PQ008');
select throws_ok(format('select * from pgqrs.list_workflows_page(p_before_id => %L)', :'workflow_id'),
    'PQ008', null, 'id only: PQ008');
-- TEST: both halves are accepted
select lives_ok(format('select * from pgqrs.list_workflows_page(p_before_created_at => %L, p_before_id => %L)',
                       '2030-01-01', :'workflow_id'),
    'both');

select * from finish();
rollback;
