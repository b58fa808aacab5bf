"""DockerCluster (a testcontainers PostgresContainer) and ``docker_available``."""

from __future__ import annotations

import contextlib
import gc
import importlib
import importlib.util
import os
import shlex
import socket
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._process import free_port, wait_connectable
from ._server import SUPERUSER, ClusterError, Disposable, StopMode, checked_settings


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


class DockerCluster(Disposable):
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
        self._settings = checked_settings(settings)
        self._image = image or os.environ.get("PGQRS_TEST_IMAGE", "postgres:15")
        self._timeout = timeout
        self._port = free_port()
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
        wait_connectable(self.dsn, self._timeout, self._logs)

    def _logs(self) -> str:
        with contextlib.suppress(Exception):
            out: bytes = self._wrapped().logs(tail=40)
            return out.decode(errors="replace")
        return ""

    def stop(self, mode: StopMode = "fast") -> None:
        self._wrapped().stop(timeout=0 if mode == "immediate" else 30)

    def restart(self, mode: StopMode = "immediate") -> None:
        self._wrapped().restart(timeout=0 if mode == "immediate" else 30)
        wait_connectable(self.dsn, self._timeout, self._logs)

    def kill(self) -> None:
        self._wrapped().kill()

    def cleanup(self) -> None:
        if self._container is not None:
            container, self._container = self._container, None
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                container.stop()
