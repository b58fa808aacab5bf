"""A pgqrs cluster: shards behind a PL/Proxy proxy (docs/scale-out.md).

:func:`init_cluster` installs pgqrs on each shard and stamps its number and the cluster's
notification key there, installs the proxy's script (``sql/proxy/pgqrs-proxy--VERSION.sql``) on
the proxy and records the shards; run again with more shards at the end, it adds them.
:func:`cluster_status` asks each shard, through the proxy, whether it answers and how loaded it
is. ``pgqrs cluster init`` and ``pgqrs cluster status`` call them.

Plain synchronous psycopg: these are one-off administrative calls.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from . import _install, _sql, errors
from ._admin_sync import SyncAdmin
from ._store_sync import SyncStore

__all__ = ["ShardStatus", "cluster_status", "init_cluster", "proxy_script", "shard_conninfo"]

_LOGIN_KEYS = ("user", "password")


def proxy_script(directory: Path | None = None) -> Path:
    """The proxy's install script for the newest pgqrs version this package ships."""
    scripts = _install.Scripts.load(directory)
    path = (directory or _install.script_dir()) / "proxy" / f"pgqrs-proxy--{scripts.latest}.sql"
    if not path.is_file():
        raise errors.SchemaError(f"the proxy's install script {path} is missing")
    return path


def shard_conninfo(dsn: str) -> str:
    """A shard's connection string as the proxy records it: libpq key=value, without the login
    (which the user mapping of the proxy's server holds)."""
    params = {k: str(v) for k, v in conninfo_to_dict(dsn).items() if k not in _LOGIN_KEYS and v}
    return make_conninfo("", **params)


def init_cluster(
    proxy_dsn: str, shard_dsns: Sequence[str], *, say: Callable[[str], None] = lambda _: None
) -> list[int]:
    """Make (or grow) a cluster: pgqrs on each shard with its number, the proxy's functions on
    the proxy, the shards recorded there. Returns the shard numbers, in order.

    Shards are numbered in the order given. Run again with the same shards first and new ones
    after, it adds the new ones; nothing that exists moves. The proxy reaches the shards with the
    login of the first shard's DSN (or, without one, the proxy DSN's); every shard must accept it.
    A database that already holds workflows may only be shard 0 of a new cluster: its ids carry
    no shard number, so every value without one stays hashed onto it (hash_shards = 1).
    """
    if not shard_dsns:
        raise errors.InvalidArgumentError("a cluster needs at least one shard")
    wanted = [shard_conninfo(dsn) for dsn in shard_dsns]
    if len(set(wanted)) != len(wanted):
        raise errors.InvalidArgumentError("the same shard is given twice")
    with psycopg.connect(proxy_dsn, autocommit=True) as proxy:
        known, hash_shards, key = _proxy_state(proxy)
        if wanted[: len(known)] != known:
            raise errors.InvalidArgumentError(
                "the proxy's cluster has shards "
                + ", ".join(f"{n}: {dsn}" for n, dsn in enumerate(known))
                + "; give them first, in that order, and new shards after them"
            )
        key = key or os.urandom(32)
        adopted = False
        for number, dsn in enumerate(shard_dsns):
            adopted |= _prepare_shard(dsn, number, key, new=number >= len(known), say=say)
        with proxy.transaction():
            for number, dsn in enumerate(wanted[len(known) :], len(known)):
                proxy.execute(_sql.PROXY_ADD_SHARD, (dsn,))
                say(f"shard {number}: {dsn}")
            _set_login(proxy, proxy_dsn, shard_dsns[0])
            if hash_shards is None:
                proxy.execute(_sql.PROXY_SET_HASH_SHARDS, (1 if adopted else len(wanted),))
            proxy.execute(_sql.PROXY_SET_KEY, (key,))
    return list(range(len(wanted)))


def _proxy_state(proxy: psycopg.Connection[Any]) -> tuple[list[str], int | None, bytes | None]:
    """Install the proxy's script unless the same version is there; then the shards it records
    (connection strings, in order), its hash_shards and its notification key."""
    row = proxy.execute(_sql.PROXY_STATE).fetchone()
    assert row is not None
    has_proxy, has_api = row
    script = proxy_script()
    current = has_proxy and has_api and _proxy_version(proxy) == _install.Scripts.load().latest
    if not current:
        with proxy.transaction():
            proxy.execute(_sql.INSTALL_LOCK, (_sql.INSTALL_LOCK_KEY,))
            proxy.execute(script.read_bytes())
    shards = [str(dsn) for _, dsn, _ in proxy.execute(_sql.PROXY_SHARDS).fetchall()]
    state = proxy.execute(_sql.PROXY_CLUSTER).fetchone()
    assert state is not None
    _, hash_shards, key = state
    return shards, hash_shards, bytes(key) if key is not None else None


def _proxy_version(proxy: psycopg.Connection[Any]) -> str | None:
    row = proxy.execute(_sql.PROXY_VERSION).fetchone()
    return str(row[0]) if row else None


def _prepare_shard(
    dsn: str, number: int, key: bytes, *, new: bool, say: Callable[[str], None]
) -> bool:
    """pgqrs installed (or upgraded) on one shard, with its number and the cluster's key.
    True when it is a database with workflows made before it was a shard (adopted)."""
    with SyncStore.connect(dsn, pool_size=1, listen=False) as store:
        applied = SyncAdmin(store).install()
        if applied:
            say(f"shard {number}: applied {', '.join(applied)}")
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(_sql.SHARD_STATE).fetchone()
        assert row is not None
        stamped, _, has_workflows = row
        if stamped is not None and stamped != number:
            raise errors.InvalidArgumentError(
                f"{shard_conninfo(dsn)} is shard {stamped} of a cluster already, not {number}"
            )
        adopted = stamped is None and bool(has_workflows)
        if adopted and not (new and number == 0):
            raise errors.InvalidArgumentError(
                f"{shard_conninfo(dsn)} has workflows made before it was a shard (their ids carry"
                " no shard number): only the first shard of a new cluster may"
            )
        conn.execute(_sql.SHARD_STAMP, (number, key))
    return adopted


def _set_login(proxy: psycopg.Connection[Any], proxy_dsn: str, shard_dsn: str) -> None:
    """The user mapping of the proxy's server: the login of ``shard_dsn`` (else of the proxy
    DSN), used for every shard."""
    login = conninfo_to_dict(shard_dsn)
    if not login.get("user"):
        login = conninfo_to_dict(proxy_dsn)
    user = login.get("user") or proxy.info.user
    password = login.get("password")
    extra: sql.Composable = sql.SQL("")
    if password:
        extra = sql.SQL(_sql.PROXY_MAPPING_PASSWORD).format(sql.Literal(password))
    proxy.execute(_sql.PROXY_DROP_MAPPING)
    proxy.execute(sql.SQL(_sql.PROXY_CREATE_MAPPING).format(sql.Literal(user), extra))


@dataclass(frozen=True)
class ShardStatus:
    """One shard as the proxy sees it: ``up`` when it answered (``error`` says why not), how
    long a call took, its workflows by status and its live workers; ``problem`` when its recorded
    number or version does not match."""

    shard: int
    dsn: str
    accepting: bool
    up: bool
    error: str | None = None
    milliseconds: float | None = None
    counts: dict[str, int] = field(default_factory=dict)
    workers_alive: int = 0
    problem: str | None = None


def cluster_status(proxy_dsn: str) -> list[ShardStatus]:
    """Each shard's health and load, asked through the proxy (every call on its own: a shard
    that is down is reported, not raised)."""
    found: list[ShardStatus] = []
    with psycopg.connect(proxy_dsn, autocommit=True) as proxy:
        version = _proxy_version(proxy)
        for number, dsn, accepting in proxy.execute(_sql.PROXY_SHARDS).fetchall():
            started = time.monotonic()
            try:
                info = proxy.execute(_sql.PROXY_SHARD_INFO, (number,)).fetchone()
                took = (time.monotonic() - started) * 1000
                counts = proxy.execute(_sql.PROXY_SHARD_COUNTS, (number,)).fetchall()
                alive = proxy.execute(_sql.PROXY_SHARD_WORKERS, (number,)).fetchone()
            except psycopg.Error as exc:
                found.append(ShardStatus(number, dsn, accepting, False, error=_first_line(exc)))
                continue
            problem = None
            if info is None or info[0] != number:
                stamped = info[0] if info else None
                problem = f"its pgqrs.instance says shard {stamped}: run pgqrs cluster init again"
            elif info[1] != version:
                problem = f"it has pgqrs {info[1]}, the proxy {version}"
            totals: dict[str, int] = {}
            for status, count in counts:
                totals[status] = totals.get(status, 0) + int(count)
            found.append(
                ShardStatus(
                    number,
                    dsn,
                    accepting,
                    True,
                    milliseconds=took,
                    counts=totals,
                    workers_alive=int(alive[0]) if alive else 0,
                    problem=problem,
                )
            )
    return found


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
