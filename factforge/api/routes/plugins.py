"""``GET /plugins``: the plugin registry's summary (plugins, verifiers, experts, judges)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from factforge.api.openapi import responses
from factforge.api.proto.codec import plugins_message, respond

__all__ = ["router"]

router = APIRouter(tags=["plugins"])


@router.get("/plugins", response_model=dict[str, Any],
            responses=responses(401, protobuf="PluginRegistry"))
async def list_plugins(request: Request) -> Response:
    """Every plugin with version, hooks, status and error, and what each contributes."""
    registry = request.app.state.services.plugin_registry()
    summary = await run_in_threadpool(registry.describe)  # first call imports plugins
    return respond(request, summary, plugins_message)
