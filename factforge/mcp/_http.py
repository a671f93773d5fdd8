"""MCP over streamable HTTP at ``/mcp`` of the API: the same Bearer keys as ``/v1``, the same
Services. Stateless (each POST its own transport), so it works behind several uvicorn worker
processes; a tool's progress notifications ride on its POST's event stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from factforge.api.errors import error_response
from factforge.api.security import require_api_key
from factforge.errors import ApiError

PATH = "/mcp"


class _Endpoint:
    """The ASGI endpoint: 401 without a valid key, 503 before start-up, else the SDK's."""

    def __init__(self) -> None:
        self.handler: Any = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            require_api_key(Request(scope))
        except ApiError as exc:
            await error_response(exc.status, exc.code, exc.message)(scope, receive, send)
            return
        if self.handler is None:
            response = error_response(503, "mcp_unavailable", "the MCP server is not running")
            await response(scope, receive, send)
            return
        await self.handler(scope, receive, send)

    @asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        from mcp.server.transport_security import TransportSecuritySettings

        from factforge.cli.serve import is_loopback
        from factforge.mcp._server import build_mcp_server

        services = app.state.services
        server = build_mcp_server(services)
        security = None  # loopback: the SDK's DNS-rebinding protection (Host, Origin)
        if not is_loopback(services.settings.host):  # reachable by name: keys guard it
            security = TransportSecuritySettings(enable_dns_rebinding_protection=False)
        handler = server.streamable_http_app(  # a Starlette app routing PATH to the SDK
            streamable_http_path=PATH, stateless_http=True, transport_security=security,
            max_request_body_size=services.settings.max_request_bytes)
        async with server.session_manager.run():
            self.handler = handler
            try:
                yield
            finally:
                self.handler = None


def mount_mcp(app: FastAPI) -> None:
    endpoint = _Endpoint()
    app.router.routes.append(Route(PATH, endpoint=endpoint))
    app.include_router(APIRouter(lifespan=endpoint.lifespan))
