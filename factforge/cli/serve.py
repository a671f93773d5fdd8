"""``factforge serve``: run the HTTP API with uvicorn."""

from __future__ import annotations

import ipaddress
import logging
import os
import sys
import threading
import time
from typing import Annotated, Any

import typer

from factforge.cli._common import EXIT_FAILED, err_console, fail, load_settings
from factforge.settings import Settings

log = logging.getLogger(__name__)

DRAIN_S = 3  # open requests (long polls, event streams) get this long after SIGTERM
STOP_DEADLINE_S = 9.0  # SIGTERM -> process gone, at the latest
STARTUP_FAILURE = 3  # uvicorn's exit status when the app did not start


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

    if workers > 1 and not settings.distributed:
        fail("embedded mode serves from one process (its jobs database and embedded Chroma "
             "are not shared between processes): --workers > 1 needs FACTFORGE_REDIS_URL")
    if not settings.distributed:
        _check_jobs_database(settings)
    err_console.print(f"FactForge API on http://{settings.host}:{settings.port} "
                      f"({'distributed' if settings.distributed else 'embedded'} mode)")
    if workers == 1:
        app = create_app(settings)
        config = uvicorn.Config(app, host=settings.host, port=settings.port,
                                timeout_graceful_shutdown=DRAIN_S)
        server = _stopping_server(uvicorn.Server)(config)
        server.run()
        if not server.started:
            sys.exit(STARTUP_FAILURE)
    else:
        uvicorn.run("factforge.api.app:create_app", factory=True, host=settings.host,
                    port=settings.port, workers=workers)


def _check_jobs_database(settings: Settings) -> None:
    """Fail now, with the reason, when the jobs database cannot be opened or another process
    serves this data dir (rather than in the app's startup, as a traceback)."""
    from factforge.errors import FactForgeError
    from factforge.jobs.factory import jobs_db_path
    from factforge.jobs.sqlite_store import SqliteJobStore

    try:
        SqliteJobStore(jobs_db_path(settings)).close()
    except FactForgeError as exc:
        fail(str(exc))


def _stopping_server(base: type) -> type:
    """uvicorn's Server that, at the first stop signal, starts stopping the jobs (they stop
    at their next step boundary while connections drain) and a watchdog that ends the process
    :data:`STOP_DEADLINE_S` later whatever still runs (unfinished jobs resume at the next
    start, from the jobs database and their checkpoints)."""

    class StoppingServer(base):  # type: ignore[misc, valid-type]
        def handle_exit(self, sig: int, frame: Any) -> None:
            first = not self.should_exit
            super().handle_exit(sig, frame)
            if first:
                from factforge.api.app import begin_shutdown

                # not in the signal handler itself: stopping takes locks
                threading.Thread(target=begin_shutdown, args=(self.config.app,),
                                 name="begin-shutdown", daemon=True).start()
                threading.Thread(target=_exit_after, args=(STOP_DEADLINE_S,),
                                 name="stop-watchdog", daemon=True).start()

    return StoppingServer


def _exit_after(seconds: float) -> None:
    time.sleep(seconds)
    log.error("still running %.0f s after the stop signal: exiting now (unfinished jobs "
              "resume at the next start)", seconds)
    logging.shutdown()
    os._exit(EXIT_FAILED)
