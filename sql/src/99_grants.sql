-- Privileges, and what pg_dump keeps of an extension's tables. The generator appends the ledger
-- row of the version it builds.

-- Nothing is executable by PUBLIC. Grant EXECUTE on the API functions to an application role
-- (docs/sql-api.md, "Roles"); the private _ functions are granted to nobody.
revoke all on all functions in schema pgqrs from public;

-- Installed as an extension (CREATE EXTENSION pgqrs), the data tables are marked as
-- configuration tables so that pg_dump saves their rows. The ledger is not: the extension's own
-- scripts fill it again on restore.
do $$
begin
    if exists (select from pg_catalog.pg_extension e where e.extname = 'pgqrs') then
        perform pg_catalog.pg_extension_config_dump('pgqrs.workflows', '');
        perform pg_catalog.pg_extension_config_dump('pgqrs.steps', '');
        perform pg_catalog.pg_extension_config_dump('pgqrs.workers', '');
        perform pg_catalog.pg_extension_config_dump('pgqrs.step_attempts', '');
        perform pg_catalog.pg_extension_config_dump('pgqrs.messages', '');
        perform pg_catalog.pg_extension_config_dump('pgqrs.messages_id_seq', '');
        perform pg_catalog.pg_extension_config_dump('pgqrs.events', '');
        perform pg_catalog.pg_extension_config_dump('pgqrs.deferred', '');
        perform pg_catalog.pg_extension_config_dump('pgqrs.queues', '');
        perform pg_catalog.pg_extension_config_dump('pgqrs.queue_slots', '');
        perform pg_catalog.pg_extension_config_dump('pgqrs.queue_permits', '');
        perform pg_catalog.pg_extension_config_dump('pgqrs.queue_names', '');
        perform pg_catalog.pg_extension_config_dump('pgqrs.queue_keys', '');
        perform pg_catalog.pg_extension_config_dump('pgqrs.schedules', '');
    end if;
end
$$;
