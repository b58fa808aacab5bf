begin;
select plan(2);

select * from pgqrs_test.running_workflow() \gset
select pgqrs_test.succeeded_step(:'workflow_id', :token, 'fetch') \gset

-- TEST: a step the source does not have raises PQ008 and creates nothing
select throws_ok(format('select pgqrs.fork_workflow(%L, %L)', :'workflow_id', 'nope'),
    'PQ008', null, 'PQ008');
select is((select count(*) from pgqrs.workflows where forked_from = :'workflow_id'), 0::bigint, 'no fork');

select * from finish();
rollback;
