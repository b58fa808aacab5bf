"""Install modes, upgrades and the client's schema version check (docs/upgrading.md).

Every way to reach the newest version must give the same schema: psql -f of the newest script,
the oldest script plus every delta (psql, or ``pgqrs install``), CREATE EXTENSION, and CREATE
EXTENSION of the oldest version plus ALTER EXTENSION UPDATE. Workflows half-run on the oldest
version finish after an upgrade, an extension's data survives pg_dump and restore, released
scripts are pinned by checksum, and the client refuses a schema it cannot use, saying what to run.
The extension modes need ``make install-extension`` into the PostgreSQL 15 server (make test
does it), so they are pg15_only.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib.metadata
import re
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from conftest import REPO_ROOT
from psycopg.conninfo import conninfo_to_dict, make_conninfo

import pgqrs
from pgqrs import PyWorkflow, _install, errors
from pgqrs.decorators import step, workflow
from pgqrs.testing import (
    PsqlError,
    Server,
    create_database,
    drop_database,
    install_pgqrs,
    run_psql_file,
)

SCRIPTS = _install.Scripts.load(REPO_ROOT / "sql")
PINS = Path(__file__).with_name("released_scripts.sha256")

# Everything in schema pgqrs that a client or an operator can observe, one text row per fact,
# except which extension owns it: tables, columns (in order), defaults, constraints, indexes,
# storage options, privileges, comments, and every function's full definition and settings.
SNAPSHOT = r"""
select 'schema', n.nspname::text, pg_catalog.array_to_string(n.nspacl, ','),
       pg_catalog.obj_description(n.oid, 'pg_namespace')
  from pg_catalog.pg_namespace n where n.nspname = 'pgqrs'
union all
select 'relation ' || c.relkind::text, c.relname::text,
       concat_ws(' ', pg_catalog.array_to_string(c.reloptions, ','),
                 pg_catalog.array_to_string(c.relacl, ','), c.relpersistence),
       pg_catalog.obj_description(c.oid, 'pg_class')
  from pg_catalog.pg_class c where c.relnamespace = 'pgqrs'::regnamespace
union all
select 'column', c.relname || '.' || a.attnum || '.' || a.attname,
       concat_ws(' ', pg_catalog.format_type(a.atttypid, a.atttypmod),
                 case when a.attnotnull then 'not null' end,
                 pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated),
       pg_catalog.col_description(c.oid, a.attnum)
  from pg_catalog.pg_class c
  join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  left join pg_catalog.pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
 where c.relnamespace = 'pgqrs'::regnamespace and c.relkind in ('r', 'p', 'v', 'm')
union all
select 'constraint', t.conrelid::regclass::text || '.' || t.conname,
       pg_catalog.pg_get_constraintdef(t.oid), null
  from pg_catalog.pg_constraint t where t.connamespace = 'pgqrs'::regnamespace
union all
select 'index', i.indexrelid::regclass::text, pg_catalog.pg_get_indexdef(i.indexrelid), null
  from pg_catalog.pg_index i
  join pg_catalog.pg_class c on c.oid = i.indexrelid
 where c.relnamespace = 'pgqrs'::regnamespace
union all
select 'trigger', t.tgrelid::regclass::text || '.' || t.tgname, pg_catalog.pg_get_triggerdef(t.oid),
       null
  from pg_catalog.pg_trigger t
  join pg_catalog.pg_class c on c.oid = t.tgrelid
 where c.relnamespace = 'pgqrs'::regnamespace and not t.tgisinternal
union all
select 'function', p.oid::regprocedure::text,
       pg_catalog.pg_get_functiondef(p.oid)
           || coalesce(pg_catalog.array_to_string(p.proacl, ','), '<default acl>'),
       pg_catalog.obj_description(p.oid, 'pg_proc')
  from pg_catalog.pg_proc p where p.pronamespace = 'pgqrs'::regnamespace
union all
select 'type', t.typname::text, t.typtype::text, null
  from pg_catalog.pg_type t
 where t.typnamespace = 'pgqrs'::regnamespace and t.typrelid = 0 and t.typelem = 0
order by 1, 2
"""


def snapshot(dsn: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute(SNAPSHOT).fetchall()


@pytest.fixture
def new_db(pg_server: Server) -> Iterator[Any]:
    """A factory of empty databases, dropped after the test."""
    names: list[str] = []

    def make() -> str:
        name = f"u_{len(names)}_{hashlib.sha1(str(id(names)).encode()).hexdigest()[:8]}"
        drop_database(pg_server.dsn, name)
        names.append(name)
        return create_database(pg_server.dsn, name)

    yield make
    for name in names:
        drop_database(pg_server.dsn, name)


def installed(new_db: Any, pg_server: Server, mode: str) -> str:
    """A new database with pgqrs installed in ``mode`` (INSTALL_MODES, or ``pgqrs-install``:
    the oldest script by psql, then the Python installer's upgrade)."""
    dsn: str = new_db()
    if mode == "pgqrs-install":
        run_psql_file(dsn, SCRIPTS.full[SCRIPTS.oldest], bindir=pg_server.bindir)

        async def upgrade() -> list[str]:
            async with await pgqrs.connect(dsn) as store:
                return await pgqrs.admin(store).install()

        applied = asyncio.run(upgrade())
        assert applied == [p.name for p in SCRIPTS.plan({SCRIPTS.oldest})]
    else:
        install_pgqrs(dsn, mode, bindir=pg_server.bindir)
    return dsn


# --- one schema, however it was installed ------------------------------------------------------


def test_there_is_an_upgrade_path_from_the_oldest_version() -> None:
    plan = SCRIPTS.plan({SCRIPTS.oldest})
    assert plan, "no delta from the oldest script"
    assert plan[-1].name.endswith(f"--{SCRIPTS.latest}.sql")


@pytest.mark.parametrize("mode", ["upgrade", "pgqrs-install"])
def test_upgraded_schema_equals_fresh_install(new_db: Any, pg_server: Server, mode: str) -> None:
    fresh = snapshot(installed(new_db, pg_server, "psql"))
    upgraded = snapshot(installed(new_db, pg_server, mode))
    assert [row for row in upgraded if row not in fresh] == []
    assert [row for row in fresh if row not in upgraded] == []
    assert len(fresh) > 100  # the query really saw the schema


def test_upgraded_schema_dumps_like_fresh_install(new_db: Any, pg_server: Server) -> None:
    def dump(dsn: str) -> str:
        pg_dump = str(pg_server.bindir / "pg_dump") if pg_server.bindir else "pg_dump"
        out = subprocess.run(
            [pg_dump, "--schema-only", "--schema=pgqrs", "--no-owner", "-d", dsn],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        # pg_dump stamps its own version and a random \restrict key (PG 17.6+) into the output.
        return re.sub(r"^(-- Dumped by.*|\\(un)?restrict .*)$", "", out, flags=re.M)

    fresh = dump(installed(new_db, pg_server, "psql"))
    assert "CREATE FUNCTION pgqrs.claim_workflows" in fresh
    assert dump(installed(new_db, pg_server, "upgrade")) == fresh


@pytest.mark.pg15_only
@pytest.mark.parametrize("mode", ["extension", "extension-upgrade"])
def test_extension_schema_equals_fresh_install(new_db: Any, pg_server: Server, mode: str) -> None:
    fresh = snapshot(installed(new_db, pg_server, "psql"))
    dsn = installed(new_db, pg_server, mode)
    assert snapshot(dsn) == fresh
    with psycopg.connect(dsn, autocommit=True) as conn:
        version, config = conn.execute(
            "select extversion, extconfig::regclass[]::text[] from pg_extension"
            " where extname = 'pgqrs'"
        ).fetchone() or (None, None)
        assert version == SCRIPTS.latest
        assert sorted(config) == [
            "pgqrs.deferred",
            "pgqrs.events",
            "pgqrs.messages",
            "pgqrs.messages_id_seq",
            "pgqrs.queue_keys",
            "pgqrs.queue_names",
            "pgqrs.queue_permits",
            "pgqrs.queue_slots",
            "pgqrs.queues",
            "pgqrs.schedules",
            "pgqrs.step_attempts",
            "pgqrs.steps",
            "pgqrs.workers",
            "pgqrs.workflows",
        ]
        # Every object in the schema belongs to the extension, so DROP EXTENSION removes it all.
        loose = conn.execute(
            """select c.oid::regclass::text from pg_class c
                where c.relnamespace = 'pgqrs'::regnamespace and c.relkind in ('r', 'v')
                  and not exists (select from pg_depend d
                                   where d.classid = 'pg_class'::regclass and d.objid = c.oid
                                     and d.deptype = 'e')
               union all
               select p.oid::regprocedure::text from pg_proc p
                where p.pronamespace = 'pgqrs'::regnamespace
                  and not exists (select from pg_depend d
                                   where d.classid = 'pg_proc'::regclass and d.objid = p.oid
                                     and d.deptype = 'e')"""
        ).fetchall()
        assert loose == []
        conn.execute("drop extension pgqrs")
        left = conn.execute(
            "select count(*) from pg_class where relnamespace = 'pgqrs'::regnamespace"
        ).fetchone()
        assert left == (0,)


# --- released scripts never change -------------------------------------------------------------


def pinned() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in PINS.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            digest, name = line.split()
            pins[name] = digest
    return pins


def test_released_scripts_match_their_pinned_checksums() -> None:
    pins = pinned()
    assert f"pgqrs--{SCRIPTS.oldest}.sql" in pins
    for name, digest in pins.items():
        path = REPO_ROOT / "sql" / name
        assert path.is_file(), f"released script {name} was removed"
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        assert actual == digest, (
            f"{name} was released and must never change (docs/upgrading.md): put the change in "
            "a new delta script instead"
        )


def test_every_released_version_is_pinned_and_in_the_changelog() -> None:
    """A version is released once CHANGELOG.md gives it a date; its scripts are pinned then."""
    changelog = (REPO_ROOT / "CHANGELOG.md").read_text()
    released = set(re.findall(r"^## (\d+\.\d+\.\d+) - \d{4}-\d{2}-\d{2}$", changelog, flags=re.M))
    assert SCRIPTS.oldest in released
    key = _install.version_key
    should_pin = {p.name for v, p in SCRIPTS.full.items() if v in released} | {
        p.name for (a, b), p in SCRIPTS.deltas.items() if b in released
    }
    assert set(pinned()) == should_pin
    # An unreleased version may only be the newest one: nothing released builds on it.
    unreleased = [v for v in SCRIPTS.full if v not in released]
    assert all(key(v) == key(SCRIPTS.latest) for v in unreleased), unreleased


def test_versions_agree() -> None:
    # One source: pgqrs/_install.py's CLIENT_VERSION, which hatchling reads for the metadata.
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["dynamic"] == ["version"]
    source = pyproject["tool"]["hatch"]["version"]
    assert source["path"] == "pgqrs/_install.py"
    found = re.search(source["pattern"], (REPO_ROOT / source["path"]).read_text(), flags=re.M)
    assert found is not None and found.group("version") == _install.CLIENT_VERSION
    installed = importlib.metadata.version(pyproject["project"]["name"])
    assert installed == _install.CLIENT_VERSION == pgqrs.__version__, (
        "the installed metadata is stale: rerun scripts/bootstrap.sh"
    )
    control = (REPO_ROOT / "sql" / "pgqrs.control").read_text()
    assert f"default_version = '{SCRIPTS.latest}'" in control
    for version, path in SCRIPTS.full.items():
        assert f"as $$ select '{version}'::text $$;" in path.read_text(), path.name
    for (_, to), path in SCRIPTS.deltas.items():
        assert f"insert into pgqrs.ledger (version) values ('{to}');" in path.read_text()


# --- workflows survive an upgrade --------------------------------------------------------------

ran: list[str] = []


@step
async def fetch(ctx: PyWorkflow, n: int) -> int:
    ran.append(f"fetch({n})")
    return n * 10


@step
async def store_result(ctx: PyWorkflow, value: int) -> str:
    ran.append(f"store_result({value})")
    return f"stored {value}"


@workflow
async def pipeline(ctx: PyWorkflow, n: int) -> str:
    return await store_result(ctx, await fetch(ctx, n))


def half_run(dsn: str) -> tuple[str, str]:
    """Through SQL, as an old client would: one direct run that finished its first step and died
    holding its lease, one queued run that no worker took yet, and a registered worker."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("select pgqrs.register_worker('idle', array['other'], 1, 'host', 1)")
        direct = conn.execute(
            "select workflow_id from pgqrs.create_workflow('pipeline', '3')"
        ).fetchone()
        assert direct is not None
        token = conn.execute(
            "select token from pgqrs.acquire_workflow(%s, 'old-runner', 30)", direct
        ).fetchone()
        assert token is not None
        conn.execute("select pgqrs.acquire_step(%s, 'fetch', %s)", (direct[0], token[0]))
        conn.execute("select pgqrs.complete_step(%s, 'fetch', %s, '30')", (direct[0], token[0]))
        queued = conn.execute(
            "select workflow_id from pgqrs.start_workflow('pipeline', '4')"
        ).fetchone()
        assert queued is not None
    return str(direct[0]), str(queued[0])


def version_of(dsn: str) -> str:
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute("select pgqrs.version()").fetchone()
        assert row is not None
        return str(row[0])


def finish_after_upgrade(dsn: str, direct: str, queued: str) -> None:
    ran.clear()

    async def main() -> None:
        # The same runner id takes over its own lease at once (a restarted process).
        async with await pgqrs.connect(dsn, runner_id="old-runner") as store:
            admin = pgqrs.admin(store)
            assert await admin.version() == SCRIPTS.latest
            assert await pipeline(await admin.workflow(direct), 3) == "stored 30"
            worker = pgqrs.Worker(store, [pipeline])
            task = asyncio.create_task(worker.run())
            try:
                assert await admin.handle(queued).result(timeout=30) == "stored 40"
            finally:
                worker.stop()
                await asyncio.wait_for(task, 30)
            steps = [(s.key, s.status, s.attempt) for s in await admin.list_steps(direct)]
            assert steps == [("fetch", "SUCCESS", 1), ("store_result", "SUCCESS", 1)]

    asyncio.run(main())
    # fetch(3) ran on the old schema and was not run again.
    assert sorted(ran) == ["fetch(4)", "store_result(30)", "store_result(40)"]


def test_half_run_workflows_finish_after_pgqrs_install(new_db: Any, pg_server: Server) -> None:
    dsn = new_db()
    run_psql_file(dsn, SCRIPTS.full[SCRIPTS.oldest], bindir=pg_server.bindir)
    assert version_of(dsn) == SCRIPTS.oldest
    direct, queued = half_run(dsn)

    async def upgrade() -> list[str]:
        async with await pgqrs.connect(dsn) as store:
            return await pgqrs.admin(store).install()

    assert asyncio.run(upgrade()) == [p.name for p in SCRIPTS.plan({SCRIPTS.oldest})]
    finish_after_upgrade(dsn, direct, queued)


@pytest.mark.pg15_only
def test_half_run_workflows_finish_after_alter_extension(new_db: Any, pg_server: Server) -> None:
    dsn = new_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"create extension pgqrs version '{SCRIPTS.oldest}'")
    assert version_of(dsn) == SCRIPTS.oldest
    direct, queued = half_run(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("alter extension pgqrs update")
    finish_after_upgrade(dsn, direct, queued)


@pytest.mark.pg15_only
def test_extension_data_survives_dump_and_restore(new_db: Any, pg_server: Server) -> None:
    source = installed(new_db, pg_server, "extension-upgrade")
    direct, queued = half_run(source)
    bindir = pg_server.bindir
    tool = (lambda name: str(bindir / name)) if bindir else (lambda name: name)
    dump = subprocess.run(
        [tool("pg_dump"), "-Fc", "-d", source], capture_output=True, check=True
    ).stdout
    target = new_db()
    subprocess.run([tool("pg_restore"), "--exit-on-error", "-d", target], input=dump, check=True)
    tables = "select * from pgqrs.{} order by 1, 2"
    with psycopg.connect(source) as a, psycopg.connect(target) as b:
        for table in ("workflows", "steps", "workers"):
            rows = a.execute(tables.format(table)).fetchall()
            assert rows, table
            assert b.execute(tables.format(table)).fetchall() == rows, table
        assert b.execute("select extversion from pg_extension where extname = 'pgqrs'").fetchone()
    finish_after_upgrade(target, direct, queued)


# --- the client checks the schema version on first use ---------------------------------------


def first_use(dsn: str) -> None:
    async def main() -> None:
        async with await pgqrs.connect(dsn) as store:
            await pgqrs.admin(store).create_workflow("pipeline", 1)

    asyncio.run(main())


def test_client_refuses_a_database_without_pgqrs(new_db: Any) -> None:
    with pytest.raises(errors.SchemaError, match=r"not installed.*pgqrs install"):
        first_use(new_db())


def test_client_refuses_an_older_schema_until_pgqrs_install(new_db: Any, pg_server: Server) -> None:
    dsn = new_db()
    run_psql_file(dsn, SCRIPTS.full[SCRIPTS.oldest], bindir=pg_server.bindir)
    with pytest.raises(errors.SchemaError, match=rf"{SCRIPTS.oldest}, older.*`pgqrs install`"):
        first_use(dsn)
    with psycopg.connect(dsn) as conn:
        assert conn.execute("select count(*) from pgqrs.workflows").fetchone() == (0,)

    async def upgrade_then_use() -> None:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            assert await admin.version() == SCRIPTS.oldest  # version() itself never refuses
            await admin.install()
            await admin.create_workflow("pipeline", 1)

    asyncio.run(upgrade_then_use())


@pytest.mark.pg15_only
def test_extension_is_upgraded_by_alter_extension_only(new_db: Any, pg_server: Server) -> None:
    dsn = new_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"create extension pgqrs version '{SCRIPTS.oldest}'")
    with pytest.raises(errors.SchemaError, match="ALTER EXTENSION pgqrs UPDATE"):
        first_use(dsn)

    async def install() -> list[str]:
        async with await pgqrs.connect(dsn) as store:
            return await pgqrs.admin(store).install()

    with pytest.raises(errors.SchemaError, match="ALTER EXTENSION pgqrs UPDATE"):
        asyncio.run(install())
    with psycopg.connect(dsn, autocommit=True) as conn:
        assert conn.execute("select pgqrs.version()").fetchone() == (SCRIPTS.oldest,)
        assert conn.execute("select version from pgqrs.ledger").fetchall() == [(SCRIPTS.oldest,)]
        conn.execute("alter extension pgqrs update")
    assert asyncio.run(install()) == []  # current: nothing to do, and no script ran
    first_use(dsn)


def fake_future(dsn: str, version: str, min_client: str) -> None:
    """Make the schema claim to be a later release (the only part a client reads)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        for name, value in (("version", version), ("min_client_version", min_client)):
            conn.execute(
                f"create or replace function pgqrs.{name}() returns text language sql immutable"
                f" set search_path = pg_catalog, pg_temp as $$ select '{value}'::text $$"
            )


def test_client_uses_a_newer_schema_that_still_serves_it(dsn: str) -> None:
    fake_future(dsn, "9.0.0", _install.CLIENT_VERSION)
    first_use(dsn)


def test_client_refuses_a_newer_schema_that_no_longer_serves_it(dsn: str) -> None:
    fake_future(dsn, "9.0.0", "9.0.0")
    with pytest.raises(errors.SchemaError, match=r"serves clients from 9\.0\.0 on.*pip install"):
        first_use(dsn)


def test_schema_is_checked_once_per_store(dsn: str) -> None:
    async def main() -> int:
        async with await pgqrs.connect(dsn) as store:
            admin = pgqrs.admin(store)
            await admin.create_workflow("pipeline", 1)
            fake_future(dsn, "9.0.0", "9.0.0")
            await admin.create_workflow("pipeline", 2)  # checked already: no second look
            return len(await admin.list_workflows())

    assert asyncio.run(main()) == 2


# --- who may install -------------------------------------------------------------------------


@pytest.fixture
def installer_role(pg_server: Server, new_db: Any) -> Iterator[tuple[str, str]]:
    """A new database and a login role that is not a superuser but has CREATE on it; yields the
    superuser's and the role's DSNs for that database."""
    dsn: str = new_db()
    role = f"installer_{hashlib.sha1(dsn.encode()).hexdigest()[:8]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"create role {role} login")
        conn.execute(f"grant create on database {conninfo_to_dict(dsn)['dbname']} to {role}")
    yield dsn, make_conninfo(dsn, user=role)
    drop_database(pg_server.dsn, str(conninfo_to_dict(dsn)["dbname"]))
    with psycopg.connect(pg_server.dsn, autocommit=True) as conn:
        conn.execute(f"drop role {role}")


def test_script_refuses_a_schema_owned_by_another_role(
    installer_role: tuple[str, str], pg_server: Server
) -> None:
    admin_dsn, role_dsn = installer_role
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute("create schema pgqrs")  # owned by the superuser, not the installer
    with pytest.raises(PsqlError) as caught:
        run_psql_file(role_dsn, SCRIPTS.full[SCRIPTS.latest], bindir=pg_server.bindir)
    assert "already exists and belongs to role" in caught.value.output
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        assert conn.execute("select to_regclass('pgqrs.workflows')").fetchone() == (None,)


@pytest.mark.pg15_only
def test_a_role_with_create_on_the_database_installs_the_extension(
    installer_role: tuple[str, str],
) -> None:
    _, role_dsn = installer_role
    with psycopg.connect(role_dsn, autocommit=True) as conn:
        conn.execute("create extension pgqrs")
        role = conn.execute("select current_user").fetchone()
        owners = conn.execute(
            """select distinct pg_get_userbyid(c.relowner) from pg_class c
                where c.relnamespace = 'pgqrs'::regnamespace
               union
               select distinct pg_get_userbyid(p.proowner) from pg_proc p
                where p.pronamespace = 'pgqrs'::regnamespace
               union
               select pg_get_userbyid(nspowner) from pg_namespace where nspname = 'pgqrs'"""
        ).fetchall()
        assert owners == [role]
        assert conn.execute("select pgqrs.version()").fetchone() == (SCRIPTS.latest,)
