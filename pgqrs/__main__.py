"""The ``pgqrs`` command line. ``pgqrs --help`` lists the commands."""

from __future__ import annotations

import argparse
import os
import sys

from . import __version__, admin, connect_sync


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pgqrs", description="Durable workflows in PostgreSQL.")
    parser.add_argument("--version", action="version", version=f"pgqrs {__version__}")
    parser.add_argument(
        "--dsn",
        default=os.environ.get("PGQRS_DSN"),
        help="libpq connection string or URL (default: $PGQRS_DSN)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("install", help="install or upgrade the pgqrs schema (idempotent)")
    commands.add_parser("version", help="print the version of the installed pgqrs SQL")
    args = parser.parse_args(argv)
    if not args.dsn:
        parser.error("no database: pass --dsn or set PGQRS_DSN")

    with connect_sync(args.dsn) as store:
        api = admin(store)
        if args.command == "install":
            applied = api.install()
            print("applied " + ", ".join(applied) if applied else "pgqrs is up to date")
        elif args.command == "version":
            print(api.version())
    return 0


if __name__ == "__main__":
    sys.exit(main())
