"""Clusters made by ``initdb`` and run by ``pg_ctl`` in a temporary directory: the shared
LocalCluster, and TemporaryCluster with the system's binaries.
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import subprocess
import tempfile
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ._bindir import find_bindir
from ._process import (
    free_port,
    kill_postmaster,
    pid_alive,
    postmaster_pid,
    user_exists,
    wait_connectable,
    wait_until,
)
from ._server import (
    DEFAULT_TIMEOUT,
    SUPERUSER,
    ClusterError,
    Disposable,
    StopMode,
    checked_settings,
)


def _emergency_cleanup(data_dir: Path, tempdir: Path) -> None:
    """Finalizer: the owner was never cleaned up, so kill its server and remove its files."""
    kill_postmaster(data_dir)
    shutil.rmtree(tempdir, ignore_errors=True)


class LocalCluster(Disposable):
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
        self._bindir = bindir
        self._settings = checked_settings(settings)
        self._fixed_port = port is not None
        self._port = port if port is not None else free_port()
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
        if not user_exists("postgres"):
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
        pid = postmaster_pid(self.data_dir)
        return pid is not None and pid_alive(pid)

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
                self._port = free_port()
        wait_connectable(self.dsn, self._timeout, self.log_tail)

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
        pids = kill_postmaster(self.data_dir)
        if not pids:
            return
        wait_until(
            lambda: not any(pid_alive(pid) for pid in pids),
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

    def __repr__(self) -> str:
        return f"{type(self).__name__}(bindir={str(self._bindir)!r}, port={self._port})"


class TemporaryCluster(LocalCluster):
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
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(
            bindir=Path(bindir) if bindir is not None else find_bindir(version),
            settings=settings,
            port=port,
            os_user=os_user,
            base_dir=base_dir,
            timeout=timeout,
        )
