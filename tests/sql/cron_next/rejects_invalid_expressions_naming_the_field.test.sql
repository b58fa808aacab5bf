begin;
select plan(28);

-- TEST: each invalid expression raises PQ008, and the message names what is wrong
create temporary table bad (expr text, says text);
insert into bad values
    ('* * * *', 'has 4 fields, not 5'),
    ('* * * * * *', 'has 6 fields, not 5'),
    ('60 * * * *', 'minute field "60": 60 is not in \[0, 59\]'),
    ('* 24 * * *', 'hour field "24"'),
    ('* * 0 * *', 'day-of-month field "0"'),
    ('* * 32 * *', 'day-of-month field "32"'),
    ('* * * 13 *', 'month field "13"'),
    ('* * * * 8', 'day-of-week field "8"'),
    ('* * * FOO *', 'month field "FOO": "FOO" is not a value'),
    ('* * * * MONDAY', 'day-of-week field "MONDAY"'),
    ('*/0 * * * *', 'minute field "\*/0": step 0'),
    ('30-10 * * * *', 'minute field "30-10": range 30-10 runs backwards'),
    ('1,,2 * * * *', 'minute field "1,,2": cannot read ""'),
    ('0 0 30 2 *', 'day-of-month field "30" never occurs in month field "2"');
create temporary table raised as
    select b.expr, b.says, e.code, e.message
      from bad b
     cross join lateral pgqrs_test.error_of(
            format('select pgqrs._cron_next(%L, %L, now())', b.expr, 'UTC')) e;

-- TEST: each invalid expression raises PQ008 ...
select is(r.code, 'PQ008', r.expr || ': PQ008') from raised r order by r.expr;
-- TEST: ... and the message names what is wrong
select ok(r.message ~ r.says, r.expr || ': ' || r.message) from raised r order by r.expr;

select * from finish();
rollback;
