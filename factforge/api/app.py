"""The FastAPI application factory: /v1 routes behind Bearer keys, /healthz, /readyz, /metrics."""

from __future__ import annotations

import importlib
import logging
import threading
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse

from factforge.api.errors import install_error_handlers
from factforge.api.metrics import Metrics, MetricsMiddleware
from factforge.api.openapi import install_openapi
from factforge.api.security import BodySizeLimit, require_api_key
from factforge.mcp import mount_mcp
from factforge.services import Services
from factforge.settings import Settings

log = logging.getLogger(__name__)

# How long the shutdown waits for the services to close while a job still runs in a node.
STRAGGLER_CLOSE_S = 1.0

# Route modules mounted under /v1; each exports ``router``.
ROUTE_MODULES: tuple[str, ...] = (
    "factforge.api.routes.experts",
    "factforge.api.routes.plugins",
    "factforge.api.routes.knowledge",
    "factforge.api.routes.factcheck",
    "factforge.api.routes.jobs",
    "factforge.api.routes.generate",
    "factforge.api.routes.openai_compat",
)


def begin_shutdown(app: FastAPI) -> None:
    """The process got SIGTERM: stop taking jobs and let running ones stop at their next step
    boundary while the server drains its connections (the lifespan's shutdown waits for them)."""
    stop = getattr(app.state, "stop_jobs", None)
    if stop is not None:
        stop()


def check_plugins(services: Services) -> None:
    """Load the plugins and raise PluginConfigError when the configuration names unknowns."""
    services.plugin_registry().check()


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    services = services or Services(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # fail closed at start-up: an ALLOW/ORDER entry that matches nothing stops the server
        # (PluginConfigError with the names that exist) instead of running fewer checks
        await run_in_threadpool(check_plugins, services)
        queue = None
        if not services.settings.distributed:
            # built at start, not at the first request: the jobs the last run left
            # unfinished (queued, or interrupted mid-job) start again now
            queue = services.job_queue()
        app.state.stop_jobs = queue.stop if queue is not None else None
        try:
            yield
        finally:
            clean = True
            try:
                if queue is not None:  # before the services its running jobs use
                    clean = await run_in_threadpool(queue.close)
            finally:
                if clean:
                    services.close()
                else:  # a job is still inside a node, using them (e.g. in a model call):
                    # the process is ending, so do not wait on it for longer than this
                    closer = threading.Thread(target=services.close, daemon=True)
                    closer.start()
                    await run_in_threadpool(closer.join, STRAGGLER_CLOSE_S)

    app = FastAPI(
        title="FactForge",
        version="0.1.0",
        description="Verification-first code generation with expert routing and fact-checking.",
        lifespan=lifespan,
    )
    app.state.services = services
    metrics = Metrics()
    install_error_handlers(app)

    v1 = APIRouter(prefix="/v1", dependencies=[Depends(require_api_key)])
    for module_name in ROUTE_MODULES:
        module = importlib.import_module(module_name)
        v1.include_router(module.router)
    app.include_router(v1)
    app.include_router(importlib.import_module("factforge.api.ui").router)  # /ui: no key
    mount_mcp(app)  # MCP (streamable HTTP) at /mcp, behind the same keys
    install_openapi(app)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, object]:
        """Liveness: the process serves requests. Reports the mode."""
        return {"status": "ok", "mode": "distributed" if services.settings.distributed
                else "embedded"}

    @app.get("/readyz", tags=["ops"])
    def readyz() -> JSONResponse:
        """Readiness: Redis, Chroma and live workers per queue (distributed) or the embedded
        store and Chroma; 200 when all are up, else 503 naming what is down. Bounded time."""
        from factforge.health import readiness

        report = readiness(services)
        return JSONResponse(report, status_code=200 if report["status"] == "ready" else 503)

    @app.get("/metrics", tags=["ops"], response_class=PlainTextResponse)
    def metrics_endpoint() -> str:
        """Prometheus text format request counters."""
        return metrics.render()

    app.add_middleware(BodySizeLimit, max_bytes=services.settings.max_request_bytes)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app
