begin;
select plan(2);

-- Regression: _check_text once tested btrim(value) = '', and btrim() strips spaces only, so a
-- name of tabs or newlines passed as "non-blank".

-- TEST: a name of other whitespace only (tab, newline) is as blank as one of spaces
select throws_ok(format('select pgqrs.create_workflow(%L)', E'\t'), 'PQ008', null,
    'a tab-only name: PQ008');
select throws_ok(format('select pgqrs.create_workflow(%L)', E' \n '), 'PQ008', null,
    'a newline-and-spaces name: PQ008');

select * from finish();
rollback;
