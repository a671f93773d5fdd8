"""``GET /plugins``: the plugin registry's summary (plugins, verifiers, experts, judges)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

__all__ = ["router"]

router = APIRouter(tags=["plugins"])


@router.get("/plugins")
async def list_plugins(request: Request) -> dict[str, Any]:
    """Every plugin with version, hooks, status and error, and what each contributes."""
    registry = request.app.state.services.plugin_registry()
    return await run_in_threadpool(registry.describe)  # first call imports plugins
