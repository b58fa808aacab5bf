"""ExternalServer: a server given by DSN, used as it is and never started or stopped."""

from __future__ import annotations

import os
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict

from ._process import can_connect
from ._server import ClusterError, Disposable, RestartNotSupported, StopMode


class ExternalServer(Disposable):
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
        if not can_connect(self._dsn):
            raise ClusterError(f"cannot connect to PGQRS_TEST_DSN server at {self._host}")

    def stop(self, mode: StopMode = "fast") -> None:
        raise self._refuse("stop")

    def restart(self, mode: StopMode = "immediate") -> None:
        raise self._refuse("restart")

    def kill(self) -> None:
        raise self._refuse("kill")

    def cleanup(self) -> None:
        pass
