"""Settings -> the JobQueue of this process: Celery + Redis when FACTFORGE_REDIS_URL is set,
else the in-process thread pool with SQLite checkpoints. Called by ``Services.job_queue()``."""

from __future__ import annotations

from collections.abc import Callable

from agents import JobDeps
from factforge.jobs.base import JobQueue
from factforge.settings import Settings
from factforge.wiring import worker_config

__all__ = ["build_job_queue", "worker_config"]


def build_job_queue(settings: Settings, job_deps: Callable[[], JobDeps]) -> JobQueue:
    """The configured job queue; ``job_deps`` is only called (once) in embedded mode."""
    if settings.distributed:
        from factforge.jobs.celery_queue import CeleryJobQueue

        return CeleryJobQueue.from_config(worker_config(settings))
    from factforge.jobs.embedded import EmbeddedJobQueue
    from factforge.wiring import open_checkpointer

    checkpointer = open_checkpointer(settings)
    return EmbeddedJobQueue(job_deps, checkpointer=checkpointer, on_close=checkpointer.conn.close)
