"""The Celery application: Redis broker and result backend, queues ``jobs`` and ``inference``.

``create_app(config)`` builds an app (tests and the API use it). ``factforge worker`` runs
``celery -A factforge.jobs.worker_app``, whose app the composition root configures from
Settings; ``celery -A workers.celery_app`` loads that same app (the module's ``app``
attribute is resolved by name, as ``FACTFORGE_WORKER_RUNTIME`` is: ``workers`` never imports
the front door).

Reliability choices: ``acks_late`` + ``task_reject_on_worker_lost`` + prefetch 1, so a task
whose worker dies is not lost (its message stays in Redis until acknowledged); jobs are
idempotent (a job lease and an exactly-once result write in :mod:`workers.job_store`). The
broker gives a dead worker's message back only after its visibility timeout (it must exceed the
longest job, so an hour), so every ``jobs`` worker also runs the lease reaper
(:mod:`workers.reaper`), which sends a job whose lease expired again within about a lease
period; the worker that gets it resumes it from its Redis checkpoint. The broker transport is
kombu's Redis transport made to survive a Redis restart (:mod:`workers.kombu_redis`), and
workers reconnect to the broker forever instead of giving up.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery
from celery.signals import worker_ready, worker_shutdown
from kombu import Queue

from workers.config import WorkerConfig

JOBS_QUEUE = "jobs"
INFERENCE_QUEUE = "inference"
RUN_JOB = "factforge.run_job"
GENERATE = "factforge.generate"
PING = "factforge.ping"

log = logging.getLogger(__name__)

# Redis-transport message priorities (0 is served first): a job sent again by the lease reaper
# (a dead worker's, half done) goes ahead of new jobs, so a backlog does not delay its recovery
JOB_PRIORITY = 3
RESUME_PRIORITY = 0

TASK_ROUTES = {
    RUN_JOB: {"queue": JOBS_QUEUE},
    PING: {"queue": JOBS_QUEUE},
    GENERATE: {"queue": INFERENCE_QUEUE},
}


def celery_settings(config: WorkerConfig) -> dict[str, object]:
    """The Celery configuration for ``config`` (a plain dict, tested directly)."""
    restore_every = max(1, min(10, config.broker_visibility_timeout_s // 2))
    return {
        "broker_url": config.redis_url,
        "broker_transport": "workers.kombu_redis:Transport",
        "broker_connection_max_retries": None,  # a worker waits for Redis, however long
        "result_backend": config.redis_url,
        "task_queues": (Queue(JOBS_QUEUE), Queue(INFERENCE_QUEUE)),
        "task_default_queue": JOBS_QUEUE,
        "task_routes": TASK_ROUTES,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_track_started": True,
        "worker_prefetch_multiplier": 1,
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "result_expires": config.job_record_ttl_s,
        "result_extended": False,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {
            # Unacked messages of a dead worker go back to the queue after this long: it must
            # exceed the longest job (a live worker's job is additionally guarded by its lease).
            "visibility_timeout": config.broker_visibility_timeout_s,
            "unacked_restore_interval": restore_every,
            "unacked_restore_throttle": 1,
        },
        "result_backend_transport_options": {"retry_policy": {"timeout": 5.0}},
        "worker_hijack_root_logger": False,
    }


def create_app(config: WorkerConfig) -> Celery:
    """A configured Celery app with FactForge's tasks registered."""
    from workers import tasks

    celery = Celery("factforge")
    celery.conf.update(celery_settings(config))
    celery.factforge_config = config  # type: ignore[attr-defined]
    tasks.register(celery)

    def _close_runtime(**_: object) -> None:
        runtime = getattr(celery, "factforge_runtime", None)
        if runtime is not None:
            runtime.close()

    def _start_reaper(sender: Any = None, **_: object) -> None:
        if getattr(sender, "app", None) is celery and _consumes_jobs(sender):
            celery.factforge_reaper = start_reaper(celery)  # type: ignore[attr-defined]

    celery._factforge_close = _close_runtime  # type: ignore[attr-defined] # keeps it alive
    celery._factforge_ready = _start_reaper  # type: ignore[attr-defined]
    worker_shutdown.connect(_close_runtime, weak=True)
    worker_ready.connect(_start_reaper, weak=True)
    return celery


def _consumes_jobs(consumer: Any) -> bool:
    """Whether a worker's consumer takes the ``jobs`` queue (``-Q``; all queues if none)."""
    selected = consumer.app.amqp.queues.consume_from
    return not selected or JOBS_QUEUE in selected


def start_reaper(celery: Celery) -> Any:
    """Start the lease reaper of a ``jobs`` worker (:mod:`workers.reaper`)."""
    from workers.job_store import RedisJobStore
    from workers.reaper import LeaseReaper

    config = worker_config(celery)
    store = RedisJobStore.from_url(config.redis_url, record_ttl_s=config.job_record_ttl_s,
                                   write_behind=False)

    def send(job_id: str, request: dict[str, Any]) -> None:
        celery.send_task(RUN_JOB, task_id=job_id, queue=JOBS_QUEUE, priority=RESUME_PRIORITY,
                         kwargs={"job_id": job_id, "request": request})

    log.info("lease reaper: every %.0f s", max(1.0, config.job_lease_s / 3))
    return LeaseReaper(store, send, lease_s=config.job_lease_s).start()


def worker_config(celery: Celery) -> WorkerConfig:
    """The :class:`WorkerConfig` an app was created with."""
    return celery.factforge_config  # type: ignore[attr-defined,no-any-return]


SETTINGS_APP = "factforge.jobs.worker_app:app"


def __getattr__(name: str) -> Celery:
    """``app``: the worker app configured from Settings (for ``celery -A workers.celery_app``)."""
    if name == "app":
        from workers.runtime import resolve

        return resolve(SETTINGS_APP)  # type: ignore[no-any-return]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
