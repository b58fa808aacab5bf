"""Server and connection errors: the pgqrs exception for a SQLSTATE, and which errors are
transient (worth repeating an idempotent call for)."""

from __future__ import annotations

import re

import psycopg
from psycopg_pool import PoolClosed

from . import errors

_TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "57P01", "57P02", "57P03"})

# Through the proxy of a cluster (docs/scale-out.md), PL/Proxy reports a shard it cannot reach
# (down, restarting, the network) as XX000 with libpq's step in brackets; the same test as the
# proxy's pgqrs_proxy._unreachable.
_SHARD_UNREACHABLE = re.compile(r"\] PQ[A-Za-z]+: |connect timeout to: |query timeout")


def translate(exc: psycopg.Error) -> errors.PgqrsError | None:
    """The pgqrs exception for a server error, or None when pgqrs does not map its SQLSTATE."""
    cls = errors.error_class_for(exc.sqlstate)
    if cls is None:
        return None
    diag = exc.diag
    # The SQL's messages start with "pgqrs: " (for psql users); the exception's class and
    # module already say that, so it is dropped here (one "pgqrs:" in a log line at most).
    return cls(
        (diag.message_primary or str(exc)).removeprefix("pgqrs: "),
        sqlstate=exc.sqlstate,
        detail=diag.message_detail,
        hint=diag.message_hint,
    )


def is_transient(exc: BaseException) -> bool:
    """True for errors after which repeating an idempotent pgqrs call is safe and useful:
    a lost connection, a server restart, a serialization failure or a deadlock, or, through a
    proxy, a shard that cannot be reached. A closed pool is not: the store was closed on
    purpose, and waiting cannot bring it back."""
    if isinstance(exc, psycopg.Error) and exc.sqlstate == "XX000":
        return _SHARD_UNREACHABLE.search(str(exc)) is not None
    if not isinstance(exc, psycopg.OperationalError) or isinstance(exc, PoolClosed):
        return False
    state = exc.sqlstate
    return state is None or state.startswith("08") or state in _TRANSIENT_SQLSTATES
