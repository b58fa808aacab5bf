"""``install_pgqrs``: install pgqrs into a database in each way users do (INSTALL_MODES)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
from psycopg import sql

from ._databases import run_psql_file
from ._server import ClusterError

INSTALL_MODES = ("psql", "upgrade", "extension", "extension-upgrade")
"""The ways ``install_pgqrs`` installs pgqrs, each one a way users install it:

``psql``               ``psql -f`` of the newest full script (managed clouds, plain installs)
``upgrade``            ``psql -f`` of the oldest full script, then ``psql -1 -f`` of every delta
``extension``          ``CREATE EXTENSION pgqrs`` (needs ``make install-extension`` first)
``extension-upgrade``  ``CREATE EXTENSION pgqrs VERSION <oldest>``, then ``ALTER EXTENSION
                       pgqrs UPDATE``

``pgqrs install`` (the Python installer) is the fifth way; tests call it directly.
"""


def extension_dir(bindir: Path | None) -> Path | None:
    """The extension directory of the server whose binaries are in ``bindir`` (None: unknown)."""
    pg_config = bindir / "pg_config" if bindir is not None else None
    if pg_config is None or not pg_config.is_file():
        return None
    out = subprocess.run(
        [str(pg_config), "--sharedir"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return Path(out) / "extension"


def check_extension_files(bindir: Path | None, directory: Path | None = None) -> None:
    """Raise ClusterError unless the server's extension directory holds this checkout's
    ``pgqrs.control`` and scripts, byte for byte (a stale copy would test the wrong SQL)."""
    from .._install import script_dir

    source = directory or script_dir()
    target = extension_dir(bindir)
    if target is None:
        return  # a server we cannot inspect (Docker, external): CREATE EXTENSION will tell
    stale = [
        path.name
        for path in sorted([source / "pgqrs.control", *source.glob("pgqrs--*.sql")])
        if not (target / path.name).is_file()
        or (target / path.name).read_bytes() != path.read_bytes()
    ]
    if stale:
        raise ClusterError(
            f"the pgqrs extension files in {target} are missing or differ from {source}"
            f" ({', '.join(stale)}): run `make install-extension` (as root, or with sudo)"
        )


def install_pgqrs(
    dsn: str, mode: str = "psql", *, bindir: Path | None = None, directory: Path | None = None
) -> None:
    """Install pgqrs into the database ``dsn`` in one of the INSTALL_MODES."""
    from .._install import Scripts

    scripts = Scripts.load(directory)
    if mode == "psql":
        run_psql_file(dsn, scripts.full[scripts.latest], bindir=bindir)
    elif mode == "upgrade":
        run_psql_file(dsn, scripts.full[scripts.oldest], bindir=bindir)
        for path in scripts.plan({scripts.oldest}):
            run_psql_file(dsn, path, bindir=bindir, single_transaction=True)
    elif mode in ("extension", "extension-upgrade"):
        check_extension_files(bindir, directory)
        with psycopg.connect(dsn, autocommit=True) as conn:
            if mode == "extension":
                conn.execute("CREATE EXTENSION pgqrs")
            else:
                conn.execute(
                    sql.SQL("CREATE EXTENSION pgqrs VERSION {}").format(sql.Literal(scripts.oldest))
                )
                conn.execute("ALTER EXTENSION pgqrs UPDATE")
    else:
        raise ValueError(f"unknown install mode {mode!r}; expected one of {INSTALL_MODES}")
