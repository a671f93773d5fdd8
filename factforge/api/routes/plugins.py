"""``GET /plugins``: the plugin registry's summary (plugins, verifiers, experts, judges)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from factforge.api.openapi import responses
from factforge.api.proto.codec import plugins_message, respond
from factforge.wiring import describe_plugins

__all__ = ["router"]

router = APIRouter(tags=["plugins"])


@router.get("/plugins", response_model=dict[str, Any],
            responses=responses(401, protobuf="PluginRegistry"))
async def list_plugins(request: Request) -> Response:
    """Every plugin with version, hooks, status and error, what each contributes, and the
    built-in experts and judges."""
    services = request.app.state.services
    registry = services.plugin_registry()
    # the first call imports plugins
    summary = await run_in_threadpool(describe_plugins, services.settings, registry)
    return respond(request, summary, plugins_message)
