"""pgqrs dashboard: a web UI over the pgqrs SQL functions (``pip install 'pgqrs[dashboard]'``).

Run it with ``pgqrs dashboard --dsn ... --port 8080``, or mount it in an ASGI application::

    from pgqrs.dashboard import create_app

    dashboard = create_app("postgresql://monitor@db/app")
    app.mount("/pgqrs", dashboard)          # Starlette or FastAPI; await dashboard.close() at exit

Pages: Overview, Workflows, one Workflow, Workers, Queues, Schedules, all server-rendered HTML
with SVG charts and one small script, updated live by server-sent events from one LISTEN
connection. It reads through pgqrs SQL functions only, so it runs as the monitoring role of
docs/security.md; actions (cancel, resume, revive, fork, send a message) are off unless allowed,
and need credentials. docs/dashboard.md describes it all.
"""

from __future__ import annotations

from ._app import Dashboard, create_app, serve

__all__ = ["Dashboard", "create_app", "serve"]
