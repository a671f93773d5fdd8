"""``factforge worker``: a Celery worker for the ``jobs`` or ``inference`` queue."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from factforge.cli._common import err_console, fail, load_settings
from factforge.settings import Settings

QUEUES = ("jobs", "inference")
POOLS = ("threads", "solo", "prefork")
DEFAULT_CONCURRENCY = {"jobs": 8, "inference": 16}


def celery_argv(queues: list[str], pool: str, concurrency: int, loglevel: str) -> list[str]:
    """The ``celery worker`` command line this command runs."""
    return [
        sys.executable, "-m", "celery", "-A", "factforge.jobs.worker_app", "worker",
        "-Q", ",".join(queues), "--pool", pool, "--concurrency", str(concurrency),
        "--hostname", f"{'+'.join(queues)}@%h", "--loglevel", loglevel,
    ]


def check_plugin_config(settings: Settings) -> None:
    """A jobs worker runs the verifiers: a bad ALLOW/ORDER entry stops it before it starts."""
    from factforge.wiring import plugin_config
    from plugins import PluginRegistry, PluginsError

    try:
        with PluginRegistry(plugin_config(settings)) as registry:
            registry.check()
    except PluginsError as exc:
        fail(str(exc))


def worker(
    queues: Annotated[
        str, typer.Option("--queues", "-Q", help="Comma-separated: jobs, inference.")
    ] = "jobs",
    pool: Annotated[
        str, typer.Option(help="threads (default; never forks after CUDA init), solo, prefork.")
    ] = "threads",
    concurrency: Annotated[
        int | None, typer.Option(min=1, max=256, help="Threads (jobs: 8, inference: 16).")
    ] = None,
    loglevel: Annotated[str, typer.Option(help="Celery log level.")] = "info",
) -> None:
    """Run a Celery worker (distributed mode; needs FACTFORGE_REDIS_URL).

    `jobs` workers run the graph and send model calls to the `inference` queue; `inference`
    workers hold the model and micro-batch concurrent requests.
    """
    settings = load_settings()
    if not settings.redis_url:
        fail("factforge worker needs FACTFORGE_REDIS_URL (e.g. redis://localhost:6379/0)")
    chosen = [q.strip() for q in queues.split(",") if q.strip()]
    unknown = sorted(set(chosen) - set(QUEUES))
    if not chosen or unknown:
        fail(f"unknown queue(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(QUEUES)}")
    if pool not in POOLS:
        fail(f"unknown pool {pool!r}; choose from {', '.join(POOLS)}")
    if pool == "prefork" and "inference" in chosen:
        fail("the inference queue must not use the prefork pool (CUDA and fork do not mix)")
    if "jobs" in chosen:
        check_plugin_config(settings)
    threads = concurrency or max(DEFAULT_CONCURRENCY[q] for q in chosen)
    argv = celery_argv(chosen, pool, threads, loglevel)
    err_console.print(f"starting: {' '.join(argv[1:])}")
    sys.stdout.flush()
    os.execv(sys.executable, argv)
