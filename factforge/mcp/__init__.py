"""FactForge as an MCP server (the official ``mcp`` SDK): over stdio (``factforge mcp``) and
streamable HTTP under the API at ``/mcp`` (same Bearer keys). The SDK is imported when a
server is built, not with this package."""

from __future__ import annotations

from typing import Any

__all__ = ["build_mcp_server", "mount_mcp"]


def build_mcp_server(services: Any) -> Any:
    """The MCP server over the composition root's ``services``."""
    from factforge.mcp._server import build_mcp_server as build

    return build(services)


def mount_mcp(app: Any) -> None:
    """Serve MCP (streamable HTTP) at ``/mcp`` of the FastAPI ``app``."""
    from factforge.mcp._http import mount_mcp as mount

    mount(app)
