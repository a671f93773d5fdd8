"""The FastAPI application factory: /v1 routes behind Bearer keys, /healthz, /metrics."""

from __future__ import annotations

import importlib
import logging
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import PlainTextResponse

from factforge.api.errors import install_error_handlers
from factforge.api.metrics import Metrics, MetricsMiddleware
from factforge.api.openapi import install_openapi
from factforge.api.security import BodySizeLimit, require_api_key
from factforge.services import Services
from factforge.settings import Settings

log = logging.getLogger(__name__)

# Route modules mounted under /v1; each exports ``router``.
ROUTE_MODULES: tuple[str, ...] = (
    "factforge.api.routes.experts",
    "factforge.api.routes.plugins",
    "factforge.api.routes.knowledge",
    "factforge.api.routes.factcheck",
    "factforge.api.routes.jobs",
    "factforge.api.routes.generate",
)


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    services = services or Services(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        yield
        services.close()

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
    install_openapi(app)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, object]:
        """Liveness: the process serves requests. Reports the mode."""
        return {"status": "ok", "mode": "distributed" if services.settings.distributed
                else "embedded"}

    @app.get("/metrics", tags=["ops"], response_class=PlainTextResponse)
    def metrics_endpoint() -> str:
        """Prometheus text format request counters."""
        return metrics.render()

    app.add_middleware(BodySizeLimit, max_bytes=services.settings.max_request_bytes)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app
