"""The codec hook: values that are not plain JSON stored as JSON and read back as the code
declares them (pgqrs.TypedCodec), with the rule that a step's first run sees what a replay sees;
and the static types of the calling API (mypy --strict on a user's file)."""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pydantic
import pytest
from helpers import fetch, worker_on

import pgqrs
from pgqrs import PyWorkflow
from pgqrs.decorators import step, workflow


class Tier(enum.Enum):
    GOLD = "gold"
    FREE = "free"


@dataclasses.dataclass(frozen=True)
class Line:
    sku: str
    price: Decimal


@dataclasses.dataclass(frozen=True)
class Order:
    id: UUID
    placed: datetime
    lines: list[Line]
    tier: Tier
    ship_by: date | None = None


class Receipt(pydantic.BaseModel):
    order: UUID
    total: Decimal
    at: datetime


ORDER = Order(
    id=UUID("01900000-0000-7000-8000-000000000001"),
    placed=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
    lines=[Line("a", Decimal("1.10")), Line("b", Decimal("2.25"))],
    tier=Tier.GOLD,
    ship_by=date(2025, 1, 9),
)
seen: list[Any] = []


@step
async def total(ctx: PyWorkflow, order: Order) -> Receipt:
    return Receipt(order=order.id, total=sum(line.price for line in order.lines), at=order.placed)


@step
async def when(ctx: PyWorkflow, receipt: Receipt) -> datetime:
    return receipt.at


@workflow
async def checkout(ctx: PyWorkflow, order: Order) -> Receipt:
    seen.append(order)
    receipt = await total(ctx, order)
    seen.append(receipt)
    seen.append(await when(ctx, receipt))
    return receipt


def test_typed_values_round_trip_through_json(dsn: str) -> None:
    seen.clear()

    async def main() -> None:
        async with worker_on(dsn, [checkout], codec=pgqrs.TypedCodec()) as (_, _, admin):
            handle = await admin.start_workflow(checkout, ORDER)
            receipt = await handle.result(timeout=30)
            assert receipt == Receipt(order=ORDER.id, total=Decimal("3.35"), at=ORDER.placed)
            # A replay (running the finished workflow again) returns the same typed values.
            ctx = await admin.workflow(handle.id)
            assert ctx.args == (fetch_input(dsn, handle.id),)
            assert await admin.handle(handle.id).result() == receipt.model_dump(mode="json")

    asyncio.run(main())
    # The worker decoded the stored input as the parameter's type; the first run of each step
    # saw its value read back from JSON.
    assert seen == [ORDER, Receipt(order=ORDER.id, total=Decimal("3.35"), at=ORDER.placed),
                    ORDER.placed]  # fmt: skip
    stored = fetch_input(dsn, None)
    assert stored == {
        "id": "01900000-0000-7000-8000-000000000001",
        "placed": "2025-01-02T03:04:05+00:00",
        "lines": [{"sku": "a", "price": "1.10"}, {"sku": "b", "price": "2.25"}],
        "tier": "gold",
        "ship_by": "2025-01-09",
    }  # plain JSON: any language reads it


def fetch_input(dsn: str, workflow_id: Any) -> Any:
    rows = fetch(dsn, "select id, input from pgqrs.workflows where name = 'checkout'")
    return next(value for key, value in rows if workflow_id in (None, key))


def test_the_plain_codec_refuses_what_is_not_json(dsn: str) -> None:
    with pgqrs.connect_sync(dsn) as store, pytest.raises(pgqrs.InvalidValueError):
        pgqrs.admin(store).start_workflow(checkout, ORDER)


def test_typed_codec_conversions() -> None:
    codec = pgqrs.TypedCodec()
    assert codec.decode(["1.5", None], list[Decimal | None]) == [Decimal("1.5"), None]
    assert codec.decode({"1": "gold"}, dict[int, Tier]) == {1: Tier.GOLD}
    assert codec.decode([1, "x"], tuple[int, str]) == (1, "x")
    assert codec.decode(["a"], frozenset[str]) == frozenset({"a"})
    assert codec.decode(3, float) == 3.0 and isinstance(codec.decode(3, float), float)
    assert codec.decode({"anything": 1}, Any) == {"anything": 1}
    with pytest.raises(pgqrs.InvalidValueError, match="cannot be read as datetime"):
        codec.decode(5, datetime)
    with pytest.raises(TypeError):
        codec.default(object())

    class Money(pgqrs.TypedCodec):
        """A codec extended for one more type."""

        def default(self, value: Any) -> Any:
            return {"cents": value.cents} if isinstance(value, Cents) else super().default(value)

        def decode(self, value: Any, hint: Any) -> Any:
            return Cents(value["cents"]) if hint is Cents else super().decode(value, hint)

    assert Money().decode(Money().default(Cents(5)), Cents) == Cents(5)
    assert not Money().plain and pgqrs.Codec().plain


@dataclasses.dataclass
class Cents:
    cents: int


TYPED = """
from typing import assert_type

import pgqrs
from pgqrs import PyWorkflow, SyncWorkflow
from pgqrs.decorators import workflow


@workflow
async def charge(ctx: PyWorkflow, customer: str, cents: int) -> float:
    return cents / 100


@workflow
def count(ctx: SyncWorkflow, n: int) -> list[int]:
    return list(range(n))


async def main(admin: pgqrs.Admin) -> None:
    handle = await admin.with_options(queue="payments").start_workflow(charge, "ann", cents=5)
    assert_type(handle, pgqrs.WorkflowHandle[float])
    assert_type(await handle.result(), float)
    assert_type(await admin.run(charge, "ann", 5), float)
    assert_type(await admin.start_workflow(charge, "ann", 5), pgqrs.WorkflowHandle[float])
    many = await admin.start_workflows(count, [1, 2])
    assert_type(many, list[pgqrs.WorkflowHandle[list[int]]])
    legacy = await admin.start_workflow("charge", {"customer": "ann"}, idempotency_key="k")
    assert_type(legacy, pgqrs.WorkflowHandle[Any])
    await admin.with_options().start_workflow(charge, "ann", "five")  # E: wrong argument type


def sync(admin: pgqrs.SyncAdmin) -> None:
    assert_type(admin.with_options(priority=1).start_workflow(count, 3).result(), list[int])
    assert_type(admin.run(count, 3), list[int])
"""


def test_the_calling_api_is_typed(tmp_path: Path) -> None:
    source = tmp_path / "typed_user.py"
    source.write_text("from typing import Any\n" + textwrap.dedent(TYPED), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
         "--cache-dir", str(tmp_path / "cache"), str(source)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    expected = [i + 2 for i, line in enumerate(TYPED.splitlines()) if "# E:" in line]
    assert [int(line.split(":")[1]) for line in errors] == expected, done.stdout
    assert 'No overload variant of "start_workflow"' in errors[0]
