"""What every server of pgqrs.testing shares: the Server protocol, the errors, the settings
for test servers, and the base class that gives each server its ``with`` block.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Literal, Protocol, Self

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
DEFAULT_TIMEOUT = 60.0


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
    """What every server of this package offers (the CLI and the test fixtures use this)."""

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


class Disposable:
    """``with`` for every server: ``start()`` on entry (``cleanup()`` if that fails),
    ``cleanup()`` on exit."""

    def start(self) -> None:
        raise NotImplementedError

    def cleanup(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
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


def checked_settings(settings: Mapping[str, str] | None) -> dict[str, str]:
    """A copy of ``settings``; ValueError for a key that is not a setting name (keys reach a
    command line)."""
    for key in settings or {}:
        if not _GUC_NAME.match(key):
            raise ValueError(f"not a PostgreSQL setting name: {key!r}")
    return dict(settings or {})
