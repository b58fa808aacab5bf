"""``server_from_env``: start the server the environment asks for (see the package
docstring).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping

from ._docker import DockerCluster, docker_available
from ._embedded import EmbeddedCluster
from ._external import ExternalServer
from ._local import TemporaryCluster
from ._server import ClusterError, Server


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
    """Start the server the environment asks for (see pgqrs.testing's docstring), yield it, stop it.

    ``pg`` overrides ``PGQRS_TEST_PG``. ``settings`` do not apply to an external server.
    Servers that cannot restart have ``can_restart == False`` and raise RestartNotSupported.
    """
    server = _make_server(settings, pg)
    try:
        server.start()
        yield server
    finally:
        server.cleanup()
