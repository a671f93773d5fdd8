"""Settings -> the JobQueue of this process: Celery + Redis when FACTFORGE_REDIS_URL is set,
else in-process job threads with the jobs (SQLite) and the graph checkpoints (SQLite) under
the data dir; unfinished jobs of the last run start again. Called by ``Services.job_queue()``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from agents import JobDeps
from factforge.jobs.base import JobQueue
from factforge.settings import Settings
from factforge.wiring import worker_config

__all__ = ["build_job_queue", "worker_config"]


def jobs_db_path(settings: Settings) -> Path:
    """The embedded mode's jobs database (records, events, idempotency keys)."""
    return settings.data_dir / "jobs.sqlite"


def build_job_queue(settings: Settings, job_deps: Callable[[], JobDeps]) -> JobQueue:
    """The configured job queue; ``job_deps`` is only called (once) in embedded mode."""
    if settings.distributed:
        from factforge.jobs.celery_queue import CeleryJobQueue

        return CeleryJobQueue.from_config(worker_config(settings))
    from factforge.jobs.embedded import EmbeddedJobQueue
    from factforge.jobs.sqlite_store import SqliteJobStore
    from factforge.wiring import open_checkpointer

    store = SqliteJobStore(jobs_db_path(settings))  # refuses a second process
    try:
        store.prune(settings.job_record_ttl_s)
        checkpointer = open_checkpointer(settings)
    except BaseException:
        store.close()
        raise
    return EmbeddedJobQueue(job_deps, checkpointer=checkpointer, store=store,
                            on_close=checkpointer.conn.close)
