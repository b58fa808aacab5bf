begin;
select plan(5);

-- TEST: a status that is not a workflow status raises PQ008 (it would list nothing, silently)
select throws_ok($$select * from pgqrs.list_workflows('DONE')$$, 'PQ008', null, 'DONE: PQ008');
select throws_ok($$select * from pgqrs.list_workflows('success')$$, 'PQ008', null, 'lower case: PQ008');
-- TEST: a name that is blank or over 255 characters raises PQ008
select throws_ok($$select * from pgqrs.list_workflows(p_name => ' ')$$, 'PQ008', null, 'blank name: PQ008');
select throws_ok(format('select * from pgqrs.list_workflows(p_name => %L)', repeat('n', 256)),
    'PQ008', null, '256 characters: PQ008');
-- TEST: every workflow status is accepted
select lives_ok($$select l.* from unnest(array['PENDING', 'RUNNING', 'SUCCESS', 'FAILED', 'DEAD',
                                              'CANCELLED']) s, pgqrs.list_workflows(s) l$$,
    'the six statuses');

select * from finish();
rollback;
