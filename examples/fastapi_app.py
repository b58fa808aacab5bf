"""A FastAPI app that starts a durable workflow per request: POST /orders starts one (idempotent
per Idempotency-Key header), GET /orders/{id} reports it, and ?wait=S waits for its result.

Run it with a worker inside the web process (what this file does, for a small app):

    PGQRS_DSN=postgresql://localhost/app uvicorn examples.fastapi_app:app

or serve the workflows from separate worker processes instead (set PGQRS_IN_APP_WORKER=0):

    PGQRS_DSN=postgresql://localhost/app pgqrs worker examples.fastapi_app --concurrency 8

tests/py/test_fastapi_example.py drives it with FastAPI's TestClient.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel

import pgqrs
from pgqrs import PyWorkflow


class OrderIn(BaseModel):
    sku: str
    quantity: int


@pgqrs.step
async def reserve_stock(ctx: PyWorkflow, sku: str, quantity: int) -> str:
    return f"reservation-{sku}-{quantity}"  # call your inventory service here


@pgqrs.step
async def charge_card(ctx: PyWorkflow, reservation: str) -> str:
    return f"charge-for-{reservation}"  # call your payment provider here


@pgqrs.workflow(queue="orders")
async def place_order(ctx: PyWorkflow, sku: str, quantity: int) -> dict[str, str]:
    reservation = await reserve_stock(ctx, sku, quantity)
    charge = await charge_card(ctx, reservation)
    return {"reservation": reservation, "charge": charge}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with await pgqrs.connect() as store:  # $PGQRS_DSN, or libpq's PG* variables
        app.state.admin = pgqrs.admin(store)
        worker = None
        if os.environ.get("PGQRS_IN_APP_WORKER", "1") == "1":
            worker = pgqrs.Worker(store, [place_order], concurrency=4)
            task = asyncio.create_task(worker.run())
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()  # drain: running workflows finish their step, or resume elsewhere
                await task


app = FastAPI(lifespan=lifespan)


@app.post("/orders", status_code=202)
async def create_order(
    order: OrderIn, idempotency_key: str | None = Header(default=None)
) -> dict[str, Any]:
    admin: pgqrs.Admin = app.state.admin
    # A retried request with the same Idempotency-Key gets the same workflow.
    handle = await admin.with_options(idempotency_key=idempotency_key).start_workflow(
        place_order, order.sku, order.quantity
    )
    return {"id": str(handle.id)}


@app.get("/orders/{order_id}")
async def get_order(order_id: UUID, wait: float = 0) -> dict[str, Any]:
    admin: pgqrs.Admin = app.state.admin
    try:
        info = await admin.get_workflow(order_id)
    except pgqrs.WorkflowNotFoundError:
        raise HTTPException(status_code=404, detail="no such order") from None
    if wait > 0 and not info.done:
        try:
            await admin.handle(order_id).result(timeout=min(wait, 30))
        except pgqrs.WaitTimeoutError:
            pass  # not done yet: report where it stands
        except pgqrs.WorkflowFailedError:
            pass  # reported below, from its stored error
        info = await admin.get_workflow(order_id)
    body: dict[str, Any] = {"id": str(info.id), "status": info.status}
    if info.status == "SUCCESS":
        body["result"] = info.output
    elif info.error:
        body["error"] = info.error.get("message")
    return body
