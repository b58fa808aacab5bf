"""Handles on workflows that run elsewhere: :class:`WorkflowHandle` waits for the result of any
workflow, from any process; :class:`ChildHandle` waits for a child as a recorded step of its
parent.

``_handles_sync.py`` is generated from this file (``make gen``): edit this one, not the twin.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from . import _codec, _convert, _lookup, errors
from ._results import WorkflowInfo
from ._store import Store

R = TypeVar("R")


class WorkflowHandle(Generic[R]):
    """A workflow running somewhere: wait for its result from any process.

    Get one from :meth:`Admin.start_workflow` (a ``WorkflowHandle[R]`` for a workflow that
    returns ``R``) or :meth:`Admin.handle`.
    """

    def __init__(
        self, store: Store, workflow_id: UUID, *, returns: Callable[..., Any] | str | None = None
    ) -> None:
        self.store = store
        self.id = workflow_id
        # The workflow function, when known: the store's codec decodes the result as its
        # return annotation says.
        self._returns = returns

    def __repr__(self) -> str:
        return f"<WorkflowHandle {self.id}>"

    async def info(self) -> WorkflowInfo:
        """Status, values and lease of the workflow, read now."""
        return await _lookup.get_workflow(self.store, self.id)

    async def result(self, timeout: float | None = None) -> R:
        """Wait until the workflow is finished and return its output.

        Raises WorkflowFailedError (FAILED), WorkflowDeadError (DEAD), WorkflowCancelledError
        (CANCELLED, by cancel_workflow or its deadline), or WaitTimeoutError when ``timeout``
        seconds pass first, saying why it has not finished (for example that no live worker
        serves its name). Woken by NOTIFY pgqrs_done on the store's shared LISTEN connection,
        with a backstop check every ``poll_interval`` seconds (the only check when the store has
        ``listen=False``).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        async with self.store.listener.subscribe(
            "pgqrs_done", await self.store.tag(f"done:{self.id}")
        ) as sub:
            while True:
                # Subscribed first: no completion slips in between.
                outcome = await _lookup.outcome(self.store, self.id)
                if outcome is not None:
                    value = outcome.result(self.id)
                    return _decode(self.store.codec, value, self._returns)  # type: ignore[no-any-return]
                left = self._wait_time(deadline)
                if left <= 0:
                    why = await _lookup.why_not_finished(self.store, self.id)
                    raise errors.WaitTimeoutError(
                        f"workflow {self.id} did not finish in time: {why}"
                    )
                await sub.wait(left)

    def _wait_time(self, deadline: float | None) -> float:
        if deadline is None:
            return self.store.poll_interval
        return min(deadline - time.monotonic(), self.store.poll_interval)


class Parent(Protocol):
    """What a :class:`ChildHandle` needs of its parent's context (a :class:`PyWorkflow`, which
    sits above this module): its id, its codec, and the recorded wait for another workflow."""

    id: UUID

    @property
    def codec(self) -> _codec.Codec: ...

    async def _await_workflow(self, other: UUID, timeout: float | None) -> Any: ...


class ChildHandle(Generic[R]):
    """A workflow started by :meth:`PyWorkflow.start_child`: ``await handle.result()`` waits
    for it as a recorded step of the parent, freeing the worker while it waits."""

    def __init__(
        self, parent: Parent, workflow_id: UUID, *, returns: Callable[..., Any] | str | None = None
    ) -> None:
        self.parent = parent
        self.id = workflow_id
        self._returns = returns

    def __repr__(self) -> str:
        return f"<ChildHandle {self.id} of {self.parent.id}>"

    async def result(self, timeout: float | None = None) -> R:
        """The child's output, or its failure raised as WorkflowFailedError (WorkflowDeadError,
        WorkflowCancelledError). With ``timeout``, WaitTimeoutError when it passes first; that
        outcome is recorded, so a replay raises it again."""
        value = await self.parent._await_workflow(self.id, timeout)
        return _decode(self.parent.codec, value, self._returns)  # type: ignore[no-any-return]


def _decode(codec: _codec.Codec, value: Any, returns: Callable[..., Any] | str | None) -> Any:
    """A workflow's output as its function declares it (the codec's decode), when known."""
    if codec.plain or returns is None or isinstance(returns, str):
        return value
    return codec.decode(value, _convert.return_hint(returns))
