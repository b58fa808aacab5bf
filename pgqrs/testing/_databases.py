"""Databases on a server: DSNs, create and drop, ``psql -f``."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from ._server import ClusterError, PsqlError


def dsn_for(dsn: str, dbname: str) -> str:
    """Return ``dsn`` (URI or key=value) pointing at database ``dbname`` instead."""
    return make_conninfo(dsn, dbname=dbname)


def create_database(admin_dsn: str, name: str, template: str | None = None) -> str:
    """Create database ``name`` (optionally from ``template``); return its DSN."""
    stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None:
        stmt = sql.SQL("{} TEMPLATE {}").format(stmt, sql.Identifier(template))
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(stmt)
    return dsn_for(admin_dsn, name)


def drop_database(admin_dsn: str, name: str) -> None:
    """Drop database ``name`` if it exists, disconnecting its sessions first."""
    stmt = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(stmt)


def psql_path(bindir: Path | None = None) -> str:
    """Return the ``psql`` in ``bindir`` if there is one, else the one on PATH."""
    if bindir is not None and (bindir / "psql").is_file():
        return str(bindir / "psql")
    found = shutil.which("psql")
    if found is None:
        raise ClusterError(
            "psql not found: install postgresql-client (Debian: postgresql-client-15)"
        )
    return found


def run_psql_file(
    dsn: str,
    path: str | os.PathLike[str],
    *,
    bindir: Path | None = None,
    single_transaction: bool = False,
) -> None:
    """Run the SQL file ``path`` against ``dsn`` with ``psql -v ON_ERROR_STOP=1 -q -f``.

    Uses the psql of ``bindir`` when it has one (so it matches the server), else the one on PATH.
    ``single_transaction`` adds ``-1``. Raises PsqlError, with psql's output, when psql fails.
    """
    cmd = [psql_path(bindir), "-X", "-v", "ON_ERROR_STOP=1", "-q", "-d", dsn, "-f", str(path)]
    if single_transaction:
        cmd.insert(1, "-1")
    proc = subprocess.run(
        cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise PsqlError(f"psql -f {path} failed ({proc.returncode})", proc.returncode, proc.stderr)


def has_extension(dsn: str, name: str) -> bool:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = %s", (name,)
        ).fetchone()
    return row is not None
