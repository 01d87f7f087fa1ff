"""The FastAPI application: `create_app(settings)` wires the case database, sign-in, the API routers,
problem-details errors and, when the package exists, the workbench pages (`imr.web.pages.router`)."""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from imr.cases import open_database
from imr.cases.engine_runs import DraftProcesses
from imr.settings import Settings, get_settings
from imr.web import apidocs
from imr.web.api import PUBLIC_ROUTERS, ROUTERS, problems
from imr.web.auth import Authenticator
from imr.web.guards import RequestGuard

# Libraries that would log request bodies or SQL parameters (case data) at DEBUG.
for _name in ("multipart", "python_multipart", "sqlalchemy.engine", "httpx", "httpcore", "weasyprint", "fontTools"):
    logging.getLogger(_name).setLevel(logging.WARNING)


def create_app(settings: Settings | None = None, *, pages: bool = True) -> FastAPI:
    """The app on the settings' database; `pages=False` leaves out the workbench (API only)."""
    settings = settings or get_settings()
    database = open_database(settings=settings, connections=settings.request_threads)

    @asynccontextmanager
    async def lifespan(running: FastAPI) -> AsyncIterator[None]:
        # Requests run in worker threads, each with a database connection; more threads than
        # connections would only wait on the pool, and dozens of threads taking turns on one
        # interpreter make every request slow. Requests beyond these wait their turn, first come first served.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        running.state.draft_processes.start()  # forking the server later would hold up a request
        yield
        database.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="imr case service",
        summary="California workers' compensation Independent Medical Review: intake to published determination.",
        version="1",
        docs_url=None,  # FastAPI's pages load their scripts from a CDN; `apidocs` serves local copies
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.draft_processes = DraftProcesses(settings.engine_processes, settings.engine_timeout)
    app.state.authenticator = Authenticator(database, settings)
    problems.install(app)
    app.add_middleware(RequestGuard)

    # Routes are matched in the order they are added, each request against every route before its own:
    # the health check (polled by load balancers) and the API's routes come before the API docs and pages.
    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    for router in ROUTERS:
        app.include_router(router)
    for router, prefix in PUBLIC_ROUTERS:
        app.include_router(router, prefix=prefix)
    app.include_router(apidocs.router)
    if pages and importlib.util.find_spec("imr.web.pages") is not None:
        workbench = importlib.import_module("imr.web.pages")
        if hasattr(workbench, "router"):
            app.include_router(workbench.router)

    return app
