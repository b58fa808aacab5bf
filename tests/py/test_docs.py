"""Keep the documentation honest.

* The psql script under "A complete run from psql" in docs/sql-api.md runs as is.
* The psql script under "Try it from psql" in docs/schedules.md runs as is.
* The SQLSTATE table of docs/errors.md lists exactly the codes of pgqrs.error_codes() and of
  the Python client's registry.
* Every public function of schema pgqrs has a ``### pgqrs.<name>`` section in docs/sql-api.md.
* The role recipe of docs/security.md runs as is, on a fresh database and on an existing install,
  and leaves the owner, application and monitoring roles with exactly the documented privileges.
* The SQL blocks of docs/retention.md run (the pg_cron recipe by its command: pg_cron is not
  installed), and so does the example of pgqrs.prune in docs/sql-api.md.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from helpers import run_psql_script

from pgqrs import errors
from pgqrs._install import Scripts
from pgqrs.testing import Server, create_database, drop_database

DOCS = Path(__file__).resolve().parents[2] / "docs"
SQL_API = DOCS / "sql-api.md"
ERRORS = DOCS / "errors.md"
SECURITY = DOCS / "security.md"
RETENTION = DOCS / "retention.md"
SCHEDULES = DOCS / "schedules.md"
REPO_ROOT = DOCS.parent

RUN_HEADING = "## A complete run from psql"
ROLES_HEADING = "## Setting up the roles"
HANDOVER_HEADING = "### Handing an existing install to the owner"
RECIPE_ROLES = ("pgqrs_owner", "pgqrs_app", "pgqrs_monitor", "pgqrs_operator")
DASHBOARD_HEADING = "## The dashboard"
SQLSTATE_HEADING = "## SQLSTATEs"
SQLSTATE = re.compile(r"^[0-9A-Z]{5}$")
FUNCTION_HEADING = re.compile(r"^###\s+`?pgqrs\.([a-z_][a-z0-9_]*)")


def _section(path: Path, heading: str) -> str:
    """The text of the ``## `` section that starts with ``heading``, up to the next one."""
    lines = path.read_text(encoding="utf-8").splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == heading]
    assert len(starts) == 1, f"{path.name}: expected one {heading!r} heading, found {len(starts)}"
    body: list[str] = []
    for line in lines[starts[0] + 1 :]:
        if line.startswith("## "):
            break
        body.append(line)
    return "\n".join(body)


def _sql_blocks(text: str) -> list[str]:
    return re.findall(r"^```sql\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)


def _table_rows(text: str) -> list[list[str]]:
    """The cells of every markdown table row in ``text``, without backticks and padding."""
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [cell.replace("`", "").strip() for cell in line.strip("|").split("|")]
        rows.append(cells)
    return rows


def _documented_sqlstates() -> dict[str, list[str]]:
    """SQLSTATE -> the other cells of its row in the table of docs/errors.md."""
    found: dict[str, list[str]] = {}
    for cells in _table_rows(_section(ERRORS, SQLSTATE_HEADING)):
        if SQLSTATE.match(cells[0]):
            assert cells[0] not in found, f"docs/errors.md lists {cells[0]} twice"
            found[cells[0]] = cells[1:]
    return found


def test_complete_run_from_psql_runs(dsn: str, tmp_path: Path) -> None:
    blocks = _sql_blocks(_section(SQL_API, RUN_HEADING))
    assert len(blocks) == 1, f"expected one ```sql block under {RUN_HEADING!r}, got {len(blocks)}"
    script = blocks[0]
    assert script.isascii(), "the psql script must be plain ASCII"
    proc = run_psql_script(dsn, script, tmp_path)
    # Each expected error was caught by a DO block and reported as a NOTICE.
    for code in ("PQ004", "PQ003"):
        assert code in proc.stderr, f"no NOTICE about {code}:\n{proc.stderr}"

    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute("SELECT name, id, status FROM pgqrs.workflows").fetchall()
        workflows = {name: (workflow_id, status) for name, workflow_id, status in rows}
        # The runner's workflow, then the one a worker ran (the end of the script).
        assert len(rows) == 2 and set(workflows) == {"charge_order", "send_receipt"}, (
            f"the script should create two workflows: {rows}"
        )
        assert workflows["send_receipt"][1] == "SUCCESS"
        workflow_id, status = workflows["charge_order"]
        assert status == "SUCCESS"
        steps = conn.execute(
            "SELECT status FROM pgqrs.list_steps(p_workflow_id => %s::uuid)", (workflow_id,)
        ).fetchall()
    assert sorted(s for (s,) in steps) == ["FAILED", "SUCCESS"]


def test_schedules_psql_script_runs(dsn: str, tmp_path: Path) -> None:
    blocks = _sql_blocks(_section(SCHEDULES, "## Try it from psql"))
    assert len(blocks) == 1, "expected one ```sql block under 'Try it from psql'"
    proc = run_psql_script(dsn, blocks[0], tmp_path, quiet=False)
    assert " t\n" in proc.stdout, f"the repeated set_schedule changed something:\n{proc.stdout}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT idempotency_key, input ->> 'scheduled_at', priority FROM pgqrs.workflows"
            " ORDER BY available_at"
        ).fetchall()
        left = conn.execute("SELECT count(*) FROM pgqrs.schedules").fetchone()
    # Four days missed, the latest three fired once each (03:00 in Paris is 02:00 UTC in
    # winter, 01:00 in summer), and the schedule deleted at the end; the workflows stay.
    assert len(rows) == 3, rows
    for key, tick, priority in rows:
        assert key == f"schedule:nightly:{tick}" and priority == 5
        assert tick[11:] in ("02:00:00Z", "01:00:00Z")
    assert left == (0,)


def test_errors_doc_lists_every_sqlstate(dsn: str) -> None:
    documented = _documented_sqlstates()
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute("SELECT sqlstate, name FROM pgqrs.error_codes()").fetchall()
    server = {code: name for code, name in rows}

    doc_pq = {code for code in documented if code.startswith("PQ")}
    client_pq = {code for code in errors.registered_sqlstates() if code.startswith("PQ")}
    assert doc_pq == set(server), "docs/errors.md and pgqrs.error_codes() differ"
    assert doc_pq == client_pq, "docs/errors.md and pgqrs.errors.registered_sqlstates() differ"

    # The non-PQ codes the client maps (22P02, 22P05) are documented too.
    assert errors.registered_sqlstates() <= set(documented)

    # Each row names the right code name and Python class.
    for code, (name, python_class, *_rest) in documented.items():
        if code in server:
            assert name == server[code], f"{code}: docs say {name!r}, server says {server[code]!r}"
        cls = errors.error_class_for(code)
        assert cls is not None, f"docs/errors.md lists {code}, which the client does not map"
        named = re.search(r"[A-Za-z_][A-Za-z0-9_]*", python_class)
        assert named is not None and named.group(0) == cls.__name__, (
            f"{code}: docs say {python_class!r}, the client raises {cls.__name__}"
        )


def test_every_public_function_has_a_section(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT DISTINCT p.proname FROM pg_catalog.pg_proc p"
            " JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname = 'pgqrs' AND p.proname NOT LIKE '\\_%'"
        ).fetchall()
    public = {name for (name,) in rows}
    assert public, "no public functions found in schema pgqrs"

    documented = {
        match.group(1)
        for line in SQL_API.read_text(encoding="utf-8").splitlines()
        if (match := FUNCTION_HEADING.match(line))
    }
    assert not public - documented, (
        f"functions without a '### pgqrs.<name>' section in docs/sql-api.md: "
        f"{sorted(public - documented)}"
    )
    assert not documented - public, (
        f"docs/sql-api.md documents functions that do not exist: {sorted(documented - public)}"
    )


# --- docs/retention.md ------------------------------------------------------------------------

CRON_COMMAND = re.compile(r"cron\.schedule\(.*?\$\$(.*?)\$\$", re.S)


def test_retention_sql_runs(dsn: str, tmp_path: Path) -> None:
    blocks = _sql_blocks(RETENTION.read_text(encoding="utf-8"))
    crons = [m.group(1) for b in blocks if (m := CRON_COMMAND.search(b))]
    assert len(crons) == 1, "docs/retention.md: expected one pg_cron recipe"
    runnable = [b for b in blocks if not CRON_COMMAND.search(b)]
    assert len(runnable) == 2, f"expected 2 more ```sql blocks, got {len(runnable)}"
    example = [b for b in _sql_blocks(_section(SQL_API, "## Retention")) if b.startswith("select")]
    assert len(example) == 1, "docs/sql-api.md: expected one example under '## Retention'"
    with psycopg.connect(dsn, autocommit=True) as conn:  # two workflows finished in 2020
        conn.execute("SET pgqrs.fake_now = '2020-01-01 00:00:00+00'")
        old = []
        for n in range(2):
            row = conn.execute(
                "SELECT workflow_id FROM pgqrs.create_workflow('wf', %s::jsonb)", (str(n),)
            )
            (workflow_id,) = row.fetchone() or (None,)
            row = conn.execute("SELECT token FROM pgqrs.acquire_workflow(%s, 'r')", (workflow_id,))
            (token,) = row.fetchone() or (None,)
            conn.execute("SELECT pgqrs.complete_workflow(%s, %s, '1')", (workflow_id, token))
            old.append(workflow_id)
    assert all(block.isascii() for block in [*runnable, *crons, *example])
    for script in (*runnable, crons[0] + ";", *example):
        run_psql_script(dsn, script, tmp_path)
    with psycopg.connect(dsn, autocommit=True) as conn:
        left = conn.execute("SELECT count(*) FROM pgqrs.workflows").fetchone()
    assert left == (0,), "the documented calls deleted the old workflows"


# --- docs/security.md -------------------------------------------------------------------------


def _security_recipe() -> tuple[list[str], str]:
    """The ```sql blocks of "Setting up the roles" in order, and the ownership block."""
    section = _section(SECURITY, ROLES_HEADING)
    steps, _, handover = section.partition(HANDOVER_HEADING)
    assert handover, f"docs/security.md: no {HANDOVER_HEADING!r} under {ROLES_HEADING!r}"
    blocks = _sql_blocks(steps)
    assert len(blocks) == 5, f"expected 5 ```sql blocks (steps 1 to 5), got {len(blocks)}"
    handover_blocks = _sql_blocks(handover)
    assert len(handover_blocks) == 1, f"expected one ```sql block under {HANDOVER_HEADING!r}"
    assert all(block.isascii() for block in [*blocks, *handover_blocks]), "plain ASCII, please"
    return blocks, handover_blocks[0]


def _psql_script(dsn: str, script: str, tmp_path: Path) -> None:
    """Run ``script`` with psql from the repository root, stopping at the first error."""
    run_psql_script(dsn, script, tmp_path, cwd=REPO_ROOT, timeout=120)


def _drop_recipe_roles(admin_dsn: str) -> None:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        for role in RECIPE_ROLES:
            conn.execute(f"DROP ROLE IF EXISTS {role}")


@pytest.fixture
def fresh_dsn(pg_server: Server) -> Iterator[str]:
    """An empty database (no pgqrs) and no recipe role; both dropped afterwards."""
    name = f"t_security_{uuid.uuid4().hex[:12]}"
    _drop_recipe_roles(pg_server.dsn)
    dsn = create_database(pg_server.dsn, name)
    try:
        yield dsn
    finally:
        drop_database(pg_server.dsn, name)
        _drop_recipe_roles(pg_server.dsn)


def _assert_three_roles(dsn: str) -> None:
    """The owner owns everything; the app and monitor roles have exactly their privileges."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "SELECT rolsuper, rolcanlogin FROM pg_catalog.pg_roles WHERE rolname = 'pgqrs_owner'"
        ).fetchone()
        assert row == (False, False), "pgqrs_owner must be NOLOGIN and not a superuser"
        not_owned = conn.execute(
            "SELECT 'schema' FROM pg_catalog.pg_namespace WHERE nspname = 'pgqrs'"
            " AND nspowner <> 'pgqrs_owner'::regrole"
            " UNION ALL SELECT oid::regclass::text FROM pg_catalog.pg_class"
            " WHERE relnamespace = 'pgqrs'::regnamespace AND relowner <> 'pgqrs_owner'::regrole"
            " UNION ALL SELECT oid::regprocedure::text FROM pg_catalog.pg_proc"
            " WHERE pronamespace = 'pgqrs'::regnamespace AND proowner <> 'pgqrs_owner'::regrole"
        ).fetchall()
        assert not not_owned, f"not owned by pgqrs_owner: {not_owned}"

        def executable(role: str) -> set[str]:
            rows = conn.execute(
                "SELECT p.proname FROM pg_catalog.pg_proc p"
                " WHERE p.pronamespace = 'pgqrs'::regnamespace"
                " AND pg_catalog.has_function_privilege(%s, p.oid, 'EXECUTE')",
                (role,),
            ).fetchall()
            return {name for (name,) in rows}

        functions = conn.execute(
            "SELECT p.proname, p.provolatile FROM pg_catalog.pg_proc p"
            " WHERE p.pronamespace = 'pgqrs'::regnamespace AND p.proname NOT LIKE '\\_%'"
        ).fetchall()
        api = {name for name, _ in functions}
        reads = {name for name, volatility in functions if volatility != "v" or name == "now"}
        assert executable("pgqrs_app") == api
        assert executable("pgqrs_monitor") == reads
        assert {"get_workflow", "list_steps", "list_workflows", "workflow_counts"} <= reads
        assert not reads & {"create_workflow", "complete_workflow", "claim_workflows"}

        table_privileges = conn.execute(
            "SELECT r.role, c.oid::regclass::text FROM pg_catalog.pg_class c,"
            " unnest(array['pgqrs_app', 'pgqrs_monitor']) AS r(role)"
            " WHERE c.relnamespace = 'pgqrs'::regnamespace AND c.relkind IN ('r', 'p')"
            " AND pg_catalog.has_table_privilege(r.role, c.oid,"
            " 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')"
        ).fetchall()
        assert not table_privileges, f"table privileges: {table_privileges}"

        # The application role drives a workflow; the monitoring role reads it.
        conn.execute("SET ROLE pgqrs_app")
        created = conn.execute(
            "SELECT workflow_id FROM pgqrs.create_workflow('wf', '{}')"
        ).fetchone()
        assert created is not None
        workflow_id = created[0]
        acquired = conn.execute(
            "SELECT token FROM pgqrs.acquire_workflow(%s, 'runner-1')", (workflow_id,)
        ).fetchone()
        assert acquired is not None
        token = acquired[0]
        conn.execute("SELECT pgqrs.complete_workflow(%s, %s, '1')", (workflow_id, token))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM pgqrs.workflows")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT pgqrs._uuid_v7()")
        conn.execute("SET ROLE pgqrs_monitor")
        row = conn.execute("SELECT status FROM pgqrs.get_workflow(%s)", (workflow_id,)).fetchone()
        assert row == ("SUCCESS",)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT pgqrs.create_workflow('wf', '{}')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM pgqrs.steps")
        conn.execute("RESET ROLE")


def test_security_recipe_runs_on_a_fresh_database(fresh_dsn: str, tmp_path: Path) -> None:
    steps, _ = _security_recipe()
    _psql_script(fresh_dsn, "\n".join(steps), tmp_path)
    _assert_three_roles(fresh_dsn)


def test_security_handover_block_fixes_an_existing_install(fresh_dsn: str, tmp_path: Path) -> None:
    # Installed by the superuser, as with a plain `psql -f`; then the roles (step 1), the
    # ownership block, and the grants and checks (steps 3 to 5).
    scripts = Scripts.load(REPO_ROOT / "sql")
    install = scripts.full[scripts.latest].read_text(encoding="utf-8")
    steps, handover = _security_recipe()
    _psql_script(fresh_dsn, "\n".join([install, steps[0], handover, *steps[2:]]), tmp_path)
    _assert_three_roles(fresh_dsn)


def test_security_dashboard_operator_role_acts_and_reads_nothing(
    fresh_dsn: str, tmp_path: Path
) -> None:
    """The operator role of "The dashboard" runs the five actions and nothing else."""
    steps, _ = _security_recipe()
    (operator,) = _sql_blocks(_section(SECURITY, DASHBOARD_HEADING))
    _psql_script(fresh_dsn, "\n".join([*steps, operator]), tmp_path)
    with psycopg.connect(fresh_dsn, autocommit=True) as conn:
        granted = conn.execute(
            "SELECT p.proname FROM pg_catalog.pg_proc p"
            " WHERE p.pronamespace = 'pgqrs'::regnamespace"
            " AND pg_catalog.has_function_privilege('pgqrs_operator', p.oid, 'EXECUTE')"
            " ORDER BY 1"
        ).fetchall()
        assert [name for (name,) in granted] == [
            "cancel_workflow",
            "fork_workflow",
            "resume_workflow",
            "revive_workflow",
            "send_message",
        ]
        row = conn.execute("SELECT workflow_id FROM pgqrs.start_workflow('wf')").fetchone()
        assert row is not None
        conn.execute("SET ROLE pgqrs_operator")
        conn.execute("SELECT * FROM pgqrs.send_message(%s, 'go', '1')", (row[0],))
        cancelled = conn.execute("SELECT pgqrs.cancel_workflow(%s, 'op')", (row[0],)).fetchone()
        assert cancelled == (True,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM pgqrs.get_workflow(%s)", (row[0],))
        conn.execute("RESET ROLE")
