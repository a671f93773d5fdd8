"""The Job API behind HTTP and CLI: embedded (thread pool) or distributed (Celery + Redis)."""

from factforge.jobs.base import JobQueue, JobRecord
from factforge.jobs.celery_queue import CeleryJobQueue
from factforge.jobs.embedded import EmbeddedJobQueue
from factforge.jobs.factory import build_job_queue, worker_config

__all__ = [
    "CeleryJobQueue",
    "EmbeddedJobQueue",
    "JobQueue",
    "JobRecord",
    "build_job_queue",
    "worker_config",
]
