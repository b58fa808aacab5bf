"""examples/fastapi_app.py: start a workflow from a request, then poll or wait for its result,
against a real database, with the app's own in-process worker. The app is called as ASGI
directly (lifespan and HTTP messages), so the test needs FastAPI and no HTTP client."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from examples import fastapi_app


@contextlib.asynccontextmanager
async def running(app: Any) -> AsyncIterator[Any]:
    """Run the app's lifespan (startup, then shutdown on exit); yield a request function."""
    events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    answers: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await events.put({"type": "lifespan.startup"})
    task = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}},
                                    events.get, answers.put))  # fmt: skip
    started = await answers.get()
    assert started["type"] == "lifespan.startup.complete", started

    async def request(
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        **query: Any,
    ) -> tuple[int, Any]:
        sent = b"" if body is None else json.dumps(body).encode()
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": method, "path": path, "raw_path": path.encode(), "root_path": "",
            "query_string": urlencode(query).encode(), "scheme": "http",
            "server": ("test", 80), "client": ("test", 1),
            "headers": [(b"content-type", b"application/json"),
                        *((k.lower().encode(), v.encode()) for k, v in (headers or {}).items())],
        }  # fmt: skip
        messages = [{"type": "http.request", "body": sent, "more_body": False}]
        replies: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return messages.pop(0) if messages else await asyncio.Future()

        async def send(message: dict[str, Any]) -> None:
            replies.append(message)

        await app(scope, receive, send)
        status = next(m["status"] for m in replies if m["type"] == "http.response.start")
        payload = b"".join(m.get("body", b"") for m in replies if m["type"] == "http.response.body")
        return status, json.loads(payload) if payload else None

    try:
        yield request
    finally:
        await events.put({"type": "lifespan.shutdown"})
        assert (await answers.get())["type"] == "lifespan.shutdown.complete"
        await task


def test_start_a_workflow_from_a_request_and_wait_for_it(dsn: str, monkeypatch: Any) -> None:
    monkeypatch.setenv("PGQRS_DSN", dsn)

    async def main() -> None:
        async with running(fastapi_app.app) as request:
            order = {"sku": "book", "quantity": 2}
            status, started = await request("POST", "/orders", order, {"Idempotency-Key": "o-1"})
            assert status == 202
            _, again = await request("POST", "/orders", order, {"Idempotency-Key": "o-1"})
            assert again == started  # a retried request: the same workflow
            order_id = started["id"]

            status, done = await request("GET", f"/orders/{order_id}", wait=20)
            assert (status, done) == (200, {
                "id": order_id,
                "status": "SUCCESS",
                "result": {
                    "reservation": "reservation-book-2",
                    "charge": "charge-for-reservation-book-2",
                },
            })  # fmt: skip
            status, _ = await request("GET", "/orders/01900000-0000-7000-8000-000000000000")
            assert status == 404
            status, polled = await request("GET", f"/orders/{order_id}")
            assert polled["status"] == "SUCCESS"

    asyncio.run(main())
