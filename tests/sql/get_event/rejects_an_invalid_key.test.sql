begin;
select plan(3);

select pgqrs_test.new_workflow() as workflow_id \gset

-- TEST: an event key that is NULL or over 255 characters raises PQ008 (blank: see
-- raises_pq001_for_unknown_workflow)
select throws_ok(format('select pgqrs.get_event(%L, null)', :'workflow_id'), 'PQ008', null, 'NULL: PQ008');
select throws_ok(format('select pgqrs.get_event(%L, %L)', :'workflow_id', repeat('k', 256)), 'PQ008', null, '256 characters: PQ008');
-- TEST: 255 characters are accepted
select is(e.found, false, '255 characters: not found') from pgqrs.get_event(:'workflow_id', repeat('k', 255)) e;

select * from finish();
rollback;
