"""The distributed job queue: records in Redis, jobs sent by task name to ``jobs`` workers."""

from __future__ import annotations

import logging

from celery import Celery
from kombu.exceptions import OperationalError

from agents import JobRequest
from factforge.jobs.base import StoreBackedQueue
from workers.celery_app import JOB_PRIORITY, JOBS_QUEUE, RUN_JOB, create_app
from workers.config import WorkerConfig
from workers.errors import QueueUnavailable
from workers.job_store import JobRecord, RedisJobStore
from workers.remote_backend import RemoteBackend

log = logging.getLogger(__name__)


class CeleryJobQueue(StoreBackedQueue):
    """Submits ``factforge.run_job`` by name; the task id is the job id."""

    mode = "distributed"

    def __init__(self, app: Celery, store: RedisJobStore, *, redis_url: str,
                 inference_timeout_s: float = 300.0, batch_max_size: int = 1,
                 batch_max_wait_ms: int = 10) -> None:
        self._app = app
        self._redis_url = redis_url
        self._store = store
        self._inference_timeout_s = inference_timeout_s
        self._batching = {"batch_max_size": batch_max_size,
                          "batch_max_wait_ms": batch_max_wait_ms}
        self._backend: RemoteBackend | None = None

    @classmethod
    def from_config(cls, config: WorkerConfig) -> CeleryJobQueue:
        return cls(create_app(config),
                   RedisJobStore.from_url(config.redis_url, record_ttl_s=config.job_record_ttl_s),
                   redis_url=config.redis_url, inference_timeout_s=config.inference_timeout_s,
                   batch_max_size=config.batch_max_size,
                   batch_max_wait_ms=config.batch_max_wait_ms)

    @classmethod
    def from_url(cls, redis_url: str) -> CeleryJobQueue:
        return cls.from_config(WorkerConfig(redis_url=redis_url))

    def submit(self, request: JobRequest, idempotency_key: str | None = None) -> JobRecord:
        record, created = self._store.create(request.to_dict(), idempotency_key=idempotency_key)
        if not created:
            return record
        try:
            self._app.send_task(RUN_JOB, task_id=record.job_id, queue=JOBS_QUEUE,
                                priority=JOB_PRIORITY,
                                kwargs={"job_id": record.job_id, "request": record.request})
        except OperationalError as exc:
            self._store.finish(record.job_id, "failed",
                               error={"code": QueueUnavailable.code, "message": str(exc)})
            raise QueueUnavailable(f"cannot queue job {record.job_id}: {exc}") from exc
        return record

    def backend(self) -> RemoteBackend:
        """One-shot generation on the ``inference`` queue."""
        if self._backend is None:
            self._backend = RemoteBackend(self._app, self._redis_url,
                                          timeout_s=self._inference_timeout_s, **self._batching)
        return self._backend

    def close(self) -> None:
        self._store.close()
        self._app.close()
