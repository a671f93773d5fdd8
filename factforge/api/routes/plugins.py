"""``GET /plugins``: the plugin registry's summary (plugins, verifiers, experts, judges)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from factforge.wiring import describe_plugins

__all__ = ["router"]

router = APIRouter(tags=["plugins"])


@router.get("/plugins")
async def list_plugins(request: Request) -> dict[str, Any]:
    """Every plugin with version, hooks, status and error, what each contributes, and the
    built-in experts and judges."""
    services = request.app.state.services
    registry = services.plugin_registry()
    # the first call imports plugins
    return await run_in_threadpool(describe_plugins, services.settings, registry)
