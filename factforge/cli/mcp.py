"""``factforge mcp``: FactForge as an MCP server over stdio (for IDE assistants and agents)."""

from __future__ import annotations

import typer

from factforge.cli._common import fail

__all__ = ["mcp_command"]


def mcp_command(ctx: typer.Context) -> None:
    """Serve MCP over stdin/stdout: tools generate_code, factcheck, kb_search,
    kb_add_documents; resource factforge://jobs/{job_id}. Jobs run in this process (embedded
    mode) or on the workers (FACTFORGE_REDIS_URL)."""
    import anyio

    from factforge.errors import FactForgeError
    from factforge.mcp import build_mcp_server
    from plugins import PluginsError

    services = ctx.obj
    try:  # fail closed, as `serve` does: an allow-list that matches nothing stops here
        services.plugin_registry().check()
        queue = services.job_queue()  # embedded: resumes the jobs a last run left unfinished
    except (PluginsError, FactForgeError) as exc:
        fail(str(exc))
    server = build_mcp_server(services)
    try:
        anyio.run(server.run_stdio_async)
    except KeyboardInterrupt:
        pass
    finally:
        queue.close()  # before the services its running jobs use (closed by the CLI)
