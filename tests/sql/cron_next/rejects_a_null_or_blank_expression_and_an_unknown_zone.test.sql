begin;
select plan(5);

-- TEST: a NULL or blank expression, an unknown macro, an unknown time zone: PQ008
select throws_ok($$select pgqrs._cron_next(null, 'UTC', now())$$, 'PQ008', null, 'NULL');
select throws_ok($$select pgqrs._cron_next('  ', 'UTC', now())$$, 'PQ008', null, 'blank');
select throws_ok($$select pgqrs._cron_next('@reboot', 'UTC', now())$$, 'PQ008', null, '@reboot');
select throws_ok($$select pgqrs._cron_next('* * * * *', 'Mars/Olympus', now())$$, 'PQ008',
                 'pgqrs: unknown time zone "Mars/Olympus"', 'unknown zone');
select throws_ok($$select pgqrs._cron_next('* * * * *', 'UTC', null)$$, 'PQ008', null, 'NULL time');

select * from finish();
rollback;
