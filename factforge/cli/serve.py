"""``factforge serve``: run the HTTP API with uvicorn."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer

from factforge.cli._common import err_console, fail, load_settings


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (FACTFORGE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (FACTFORGE_PORT).")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="uvicorn worker processes.")] = 1,
) -> None:
    """Serve the HTTP API. Refuses a non-loopback bind unless FACTFORGE_API_KEYS is set."""
    settings = load_settings(host=host, port=port)
    if not settings.api_keys and not is_loopback(settings.host):
        fail(
            f"refusing to bind {settings.host} without API keys: set FACTFORGE_API_KEYS "
            "(comma-separated) or bind 127.0.0.1"
        )
    import uvicorn

    from factforge.api import create_app
    from factforge.services import Services
    from plugins import PluginsError

    services = Services(settings)
    try:  # the app checks again at start-up; here the message is a clean exit 2
        services.plugin_registry().check()
    except PluginsError as exc:
        fail(str(exc))
    finally:
        services.close()

    err_console.print(f"FactForge API on http://{settings.host}:{settings.port} "
                      f"({'distributed' if settings.distributed else 'embedded'} mode)")
    if workers == 1:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port)
    else:
        uvicorn.run("factforge.api.app:create_app", factory=True, host=settings.host,
                    port=settings.port, workers=workers)
